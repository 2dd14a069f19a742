"""A project's ``retention_days``: validated on create and patch, and completed tasks are
erased that many days after completion by the job runner's retention sweep, on the app's
clock (a :class:`ManualClock` moved by the test; SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assay.clock import ManualClock
from assay.db.engine import Database
from assay.tasks.erasure import sweep_retention
from tests.support import InProcessServer, Org, categorize_project, make_org

DAY = 86400.0


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def live(db_url: str, clock: ManualClock) -> Iterator[InProcessServer]:
    server = InProcessServer(db_url, clock).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def acme(live: InProcessServer, db: Database) -> Org:
    return make_org(live.url, db, "Acme")


def _sweep(live: InProcessServer) -> None:
    """Run the app's own periodic retention job once (the runner is off in these tests)."""
    app: Any = live.server.config.app
    jobs = [fn for fn, _ in app.state.runner.periodic
            if getattr(fn, "func", None) is sweep_retention]
    assert len(jobs) == 1, app.state.runner.periodic
    jobs[0](app.state.db)


def _bad(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
    assert fields == ["retention_days"], fields


def test_retention_days_is_a_positive_whole_number_of_days(acme: Org) -> None:
    project = categorize_project(acme)
    assert project["retention_days"] is None
    body = {"name": "r", "kind": "categorize", "params": {"labels": ["a"]}}
    with acme.http() as http:
        for value in (0, -1, 1.5, "7", True, 36_501, [7]):
            _bad(http.post("/v1/projects", json={**body, "retention_days": value}))
            _bad(http.patch(f"/v1/projects/{project['id']}", json={"retention_days": value}))
        made = http.post("/v1/projects", json={**body, "retention_days": 30}).json()
        assert made["retention_days"] == 30
        assert http.get(f"/v1/projects/{made['id']}").json()["retention_days"] == 30
        kept = http.patch(f"/v1/projects/{made['id']}", json={"name": "renamed"}).json()
        assert kept["retention_days"] == 30
        cleared = http.patch(f"/v1/projects/{made['id']}", json={"retention_days": None})
        assert cleared.json()["retention_days"] is None
    assert acme.client.get_project(project["id"])["retention_days"] is None


def test_completed_tasks_are_erased_after_their_retention(acme: Org, live: InProcessServer,
                                                          clock: ManualClock) -> None:
    project = categorize_project(acme, retention_days=2)
    kept_forever = categorize_project(acme)
    worker = acme.worker()
    done = acme.client.create_task(project["id"], {"text": "old secret"})
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    assert acme.client.get_task(done["id"])["status"] == "completed"
    pending = acme.client.create_task(project["id"], {"text": "still waiting"})
    other = acme.client.create_task(kept_forever["id"], {"text": "no retention"})
    offer = worker.next(kept_forever["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "neg"})

    clock.advance(2 * DAY - 60)
    _sweep(live)
    assert acme.client.get_task(done["id"])["data"] == {"text": "old secret"}
    # Completed one day later than the first: erased one day later.
    later = acme.client.create_task(project["id"], {"text": "newer"})
    offer = worker.next(project["id"])
    assert offer is not None and offer["data"] == {"text": "still waiting"}
    worker.submit(offer["assignment_id"], {"label": "pos"})

    clock.advance(120)
    _sweep(live)
    with acme.http() as http:
        assert http.get(f"/v1/tasks/{done['id']}").status_code == 404
        export = http.get(f"/v1/projects/{project['id']}/export").text
        logged = http.get("/v1/audit", params={"object": done["id"],
                                               "action": "task.erase"}).json()["docs"]
    assert [e["actor"]["type"] for e in logged] == ["operator"]
    assert "old secret" not in export and "still waiting" in export
    assert acme.client.get_task(pending["id"])["status"] == "completed"
    assert acme.client.get_task(later["id"])["status"] == "pending"
    assert acme.client.get_task(other["id"])["status"] == "completed"  # no retention there
    counts = acme.client.get_project(project["id"])["counts"]
    assert counts == {"pending": 1, "completed": 1, "canceled": 0, "error": 0}
    assert worker.me(project["id"])["answers"] == 2  # the worker's count stays

    clock.advance(2 * DAY)
    _sweep(live)
    with acme.http() as http:
        assert http.get(f"/v1/tasks/{pending['id']}").status_code == 404
    assert acme.client.get_task(later["id"])["status"] == "pending"  # never completed
