"""SIGKILL in the middle of a load, then a restart: every acknowledged answer is there and
nothing is half-written."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assay.db.engine import Database
from assay.db.models import Assignment, Response, Task
from tests.support import Org, ServerProcess, categorize_project, make_org


@pytest.fixture()
def crash_server(db_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(db_url, log_path=tmp_path / "server.log").start()
    yield proc
    proc.stop()


def test_acknowledged_answers_survive_sigkill(crash_server: ServerProcess, db: Database) -> None:
    org = make_org(crash_server.url, db, "Crashy")
    project = categorize_project(org, quality={"overlap": 2})
    org.client.create_tasks(project["id"], [{"data": {"text": str(i)}} for i in range(400)])
    workers = [org.worker() for _ in range(8)]
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def work(index: int) -> None:
        client = workers[index]
        while not stop.is_set():
            try:
                offer = client.next(project["id"])
                if offer is None:
                    return
                client.submit(offer["assignment_id"], {"label": "pos"})
            except Exception:
                return  # the server is gone
            with lock:
                acknowledged.append(offer["assignment_id"])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        time.sleep(0.01)
    crash_server.kill()
    stop.set()
    for t in threads:
        t.join(30)
    assert len(acknowledged) >= 150

    crash_server.start()  # same database, fresh process (on a new port)
    org = Org(crash_server.url, db, org.org_id, org.api_key, org.webhook_secret)
    with db.read() as session:
        stored = set(session.scalars(select(Response.assignment_id)))
        missing = [a for a in acknowledged if a not in stored]
        assert missing == []
        # Nothing half-written: each answer has its submitted assignment, each task's
        # counters match its rows.
        submitted = set(session.scalars(select(Assignment.id)
                                        .where(Assignment.status == "submitted")))
        assert submitted == stored
        answers = dict(session.execute(select(Response.task_id, func.count())
                                       .group_by(Response.task_id)).all())
        live = dict(session.execute(
            select(Assignment.task_id, func.count())
            .where(Assignment.status == "active").group_by(Assignment.task_id)).all())
        for task in session.scalars(select(Task).where(Task.project_id == project["id"])):
            assert task.n_responses == answers.get(task.id, 0)
            assert task.slots_taken == task.n_responses + live.get(task.id, 0)
            assert task.slots_taken <= task.overlap
            assert (task.status == "completed") == (task.n_responses == 2)
            if task.status == "completed":
                assert task.result is not None and task.result["n_responses"] == 2
    # The restarted server keeps serving, and leases cut short by the crash still expire.
    offer = org.worker().next(project["id"])
    assert offer is not None
    assert org.client.get_project(project["id"])["counts"]["pending"] > 0
