"""Operations: every response carries ``X-Request-Id`` (the client's own when sane), a 500
names it in its body and on its log line, JSON log lines carry it, and ``/readyz`` reports
the job backlog. SQLite and PostgreSQL for the backlog; the rest is the HTTP edge."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from assay.app import create_app
from assay.clock import ManualClock
from assay.db.engine import Database
from assay.http.request_id import RequestIdFilter, current
from assay.jobs.queue import enqueue
from assay.server import JsonFormatter
from assay.settings import Settings, SettingsError
from tests.support import TEST_ENV, InProcessServer


@pytest.fixture(scope="module")
def live(db_url: str) -> Iterator[InProcessServer]:
    server = InProcessServer(db_url, ManualClock()).start()
    yield server
    server.stop()


def test_every_response_carries_a_request_id(live: InProcessServer) -> None:
    with httpx.Client(base_url=live.url) as http:
        first, second = http.get("/healthz"), http.get("/v1/projects")  # a 401 too
        assert first.headers["x-request-id"].startswith("req_")
        assert second.status_code == 401 and second.headers["x-request-id"].startswith("req_")
        assert first.headers["x-request-id"] != second.headers["x-request-id"]
        mine = http.get("/healthz", headers={"X-Request-Id": "trace-42:a.b"})
        assert mine.headers["x-request-id"] == "trace-42:a.b"
        for junk in ("has space", "x" * 129, "semi;colon"):
            answer = http.get("/healthz", headers={"X-Request-Id": junk})
            assert answer.headers["x-request-id"].startswith("req_")


def test_a_500_names_its_request_id_in_body_and_log(
        db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(Settings.from_env({**TEST_ENV, "ASSAY_DATABASE_URL": db_url,
                                        "ASSAY_RUN_JOBS": "0"}))

    def boom() -> None:
        raise RuntimeError("kaboom")

    app.add_api_route("/boom", boom)
    caplog.handler.addFilter(RequestIdFilter())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await http.get("/boom", headers={"X-Request-Id": "case-7"})

    answer = asyncio.run(call())
    assert answer.status_code == 500
    assert answer.headers["x-request-id"] == "case-7"
    assert answer.json()["error"] == {"code": "internal_error",
                                      "message": "an internal error occurred",
                                      "details": {"request_id": "case-7"}}
    assert "kaboom" not in answer.text
    [record] = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert record.request_id == "case-7"  # type: ignore[attr-defined]


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("assay", logging.ERROR, __file__, 1, "refit of %s failed",
                               ("prj_1",), None)
    token = current.set("req_abc")
    try:
        RequestIdFilter().filter(record)
    finally:
        current.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "refit of prj_1 failed" and line["request_id"] == "req_abc"
    assert line["level"] == "error" and line["logger"] == "assay" and "at" in line
    with pytest.raises(SettingsError, match="ASSAY_LOG_FORMAT"):
        Settings.from_env({"ASSAY_LOG_FORMAT": "xml"})


def test_readyz_reports_the_job_backlog(live: InProcessServer, db: Database) -> None:
    clock: ManualClock = live.server.config.app.state.clock  # type: ignore[attr-defined]
    before = httpx.get(live.url + "/readyz").json()
    assert before["status"] == "ready" and before["runs_jobs"] is False
    due_before = before["jobs"]["due"]
    db.write(lambda s: enqueue(s, "noop", {}, clock.now() - timedelta(seconds=30)))
    db.write(lambda s: enqueue(s, "noop", {}, clock.now(), delay_s=3600))  # not due yet
    after = httpx.get(live.url + "/readyz").json()
    assert after["jobs"]["due"] == due_before + 1
    assert after["jobs"]["oldest_due_s"] >= 30
