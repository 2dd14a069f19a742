"""An evaluation whose generation job fails as a whole (the job raises, here a defect
injected into the call path on one prompt) is ``failed`` with the error instead of staying
``generating`` for ever; ``POST /v1/evaluations/{id}/retry`` regenerates what failed or is
missing, a reply that had failed on its own included, and the evaluation goes on to its
battles. The app runs in this process with its job runner off; the test runs the real job
handlers round by round (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from assay.background import make_runner
from assay.clock import ManualClock
from assay.db.engine import Database
from assay.evaluations import jobs
from assay.models import calls
from assay.models.standin import StandIn
from assay.settings import Settings
from tests.support import TEST_ENV, InProcessServer, Org, make_org


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    # Behind the machine's clock, as jobs are stamped by it and claimed by the runner.
    return ManualClock(datetime.now(UTC) - timedelta(hours=1))


@pytest.fixture(scope="module")
def app_org(db_url: str, db: Database, clock: ManualClock) -> Iterator[Org]:
    server = InProcessServer(db_url, clock).start()
    yield make_org(server.url, db, "Retry")
    server.stop()


def _model(org: Org, standin: StandIn, name: str, mode: str) -> str:
    with org.http() as http:
        made = http.post("/v1/models", json={
            "name": name, "base_url": standin.base_url, "model": f"{mode}#{uuid.uuid4().hex}",
            "params": {"max_retries": 0, "timeout_s": 10}})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_a_failed_generation_fails_the_evaluation_and_a_retry_finishes_it(
        app_org: Org, db: Database, db_url: str, clock: ManualClock,
        model_standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    steady = _model(app_org, model_standin, "steady", "echo")
    flaky = _model(app_org, model_standin, "flaky", "fail-500x1")  # fails its first call
    real_chat = calls.chat

    def crash_on_q2(db: Database, target: calls.Target, messages: list[dict[str, Any]],
                    **kw: Any) -> Any:
        if messages[-1]["content"] == "q2":
            raise RuntimeError("connection pool is closed")
        return real_chat(db, target, messages, **kw)

    monkeypatch.setattr(jobs.calls, "chat", crash_on_q2)
    monkeypatch.setattr(jobs, "CHUNK", 2)  # (0, flaky) (0, steady) | prompt 1 | prompt 2
    settings = Settings.from_env({**TEST_ENV, "ASSAY_DATABASE_URL": db_url})
    runner = make_runner(db, settings, clock)
    with app_org.http() as http:
        created = http.post("/v1/evaluations", json={
            "name": "retry", "prompts": [{"prompt": f"q{i}"} for i in range(3)],
            "models": [steady, flaky]})
        assert created.status_code == 201, created.text
        evaluation_id = created.json()["id"]
        assert created.json()["failure"] is None
        for _ in range(10):
            if not runner.run_once():
                break
        failed = http.get(f"/v1/evaluations/{evaluation_id}").json()
        assert failed["status"] == "failed"
        assert failed["failure"]["step"] == "generate"
        assert failed["failure"]["error"] == "RuntimeError: connection pool is closed"
        # The first two chunks were stored (flaky's first call failed on its own); the
        # third raised and stored nothing.
        assert failed["progress"]["replies"] == {"total": 6, "done": 4, "failed": 1}
        assert failed["progress"]["battles"] == 0 and failed["project"] is not None
        assert runner.run_once() == 0  # the job failed: nothing left running

        monkeypatch.setattr(jobs.calls, "chat", real_chat)
        retried = http.post(f"/v1/evaluations/{evaluation_id}/retry")
        assert retried.status_code == 200, retried.text
        assert retried.json()["status"] == "generating" and retried.json()["failure"] is None
        assert retried.json()["progress"]["replies"] == {"total": 6, "done": 3, "failed": 0}
        again = http.post(f"/v1/evaluations/{evaluation_id}/retry")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "evaluation_not_failed"
        for _ in range(10):
            if not runner.run_once():
                break
        done = http.get(f"/v1/evaluations/{evaluation_id}").json()
        assert done["status"] == "collecting" and done["failure"] is None
        assert done["progress"]["replies"] == {"total": 6, "done": 6, "failed": 0}
        assert done["left_out"] == {"failed_replies": 0, "battles": 0, "replies": []}
        assert done["progress"]["battles"] == 3
        assert done["progress"]["human"] == {"tasks": 3, "completed": 0}


def test_only_a_failed_evaluation_is_retried(app_org: Org, model_standin: StandIn) -> None:
    with app_org.http() as http:
        created = http.post("/v1/evaluations", json={
            "name": "uploaded", "prompts": [{"id": "p", "prompt": "p"}],
            "responses": [{"prompt_id": "p", "model": m, "content": m} for m in "xy"]})
        assert created.status_code == 201 and created.json()["status"] == "collecting"
        refused = http.post(f"/v1/evaluations/{created.json()['id']}/retry")
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "evaluation_not_failed"
        assert http.post("/v1/evaluations/evl_00000000000000000000000a/retry"
                         ).status_code == 404
