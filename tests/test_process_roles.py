"""Process roles (API.md, Operations): ``assay serve --no-jobs`` runs the API and no
background work at all; ``assay jobs`` runs only the background work; one project's refit
never runs in two processes at once. SQLite and PostgreSQL, real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from assay.callbacks.signing import verify
from assay.db.engine import Database
from assay.db.locks import try_lock
from assay.db.models import Job
from assay.quality.refit import refit_due_projects
from tests.support import TEST_ENV, ServerProcess, categorize_project, make_org
from tests.test_callbacks import Receiver, _wait

HOLD = """
import sys, time
from assay.db.engine import Database
from assay.db.locks import try_lock
db = Database(sys.argv[1])
with try_lock(db, sys.argv[2]) as got:
    print(got, flush=True)
    if got and len(sys.argv) > 3:
        time.sleep(float(sys.argv[3]))
"""


@pytest.fixture(scope="module")
def api_only(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    log = tmp_path_factory.mktemp("log") / "api.log"
    proc = ServerProcess(db_url, log_path=log, args=["--no-jobs"]).start()
    yield proc
    proc.stop()


def _jobs_process(db_url: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "assay.cli", "jobs", "--db", db_url],
                            env={**os.environ, **TEST_ENV}, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT)


def test_callbacks_wait_for_a_jobs_process_and_then_arrive_once(
        api_only: ServerProcess, db: Database, db_url: str, tmp_path: Path) -> None:
    org = make_org(api_only.url, db, "Roles")
    project = categorize_project(org)
    receiver = Receiver()
    try:
        task = org.client.create_task(project["id"], {"text": "x"}, callback_url=receiver.url)
        worker = org.worker()
        offer = worker.next(project["id"])
        assert offer is not None
        worker.submit(offer["assignment_id"], {"label": "pos"})
        # An API-only process runs no job: the callback waits in the queue.
        time.sleep(1.5)
        assert receiver.calls == []
        with db.read() as session:
            statuses = session.scalars(select(Job.status).where(Job.kind == "callback")).all()
        assert "queued" in statuses

        jobs = _jobs_process(db_url, tmp_path / "jobs.log")
        try:
            _wait(lambda: len(receiver.calls) >= 1, timeout=30)
            headers, body = receiver.calls[0]
            assert task["id"].encode() in body
            assert verify(org.webhook_secret, body, headers["Assay-Signature"])
        finally:
            jobs.send_signal(signal.SIGTERM)
            assert jobs.wait(30) == 0
        assert len(receiver.calls) == 1
        assert "Assay jobs running" in (tmp_path / "jobs.log").read_text()
    finally:
        receiver.close()


def test_a_named_lock_is_held_by_one_process_at_a_time(db: Database, db_url: str) -> None:
    def other(name: str) -> str:
        return subprocess.run([sys.executable, "-c", HOLD, db_url, name], capture_output=True,
                              text=True, check=True, timeout=60).stdout.strip()

    with try_lock(db, "refit:prj_lock_test") as mine:
        assert mine
        assert other("refit:prj_lock_test") == "False"
        assert other("refit:prj_another") == "True"
        with try_lock(db, "refit:prj_lock_test") as again:  # this process, again
            assert not again
    assert other("refit:prj_lock_test") == "True"


def test_a_refit_skips_a_project_another_process_is_refitting(
        api_only: ServerProcess, db: Database, db_url: str) -> None:
    org = make_org(api_only.url, db, "Refits")
    project = categorize_project(org, quality={"overlap": 2})
    org.client.create_tasks(project["id"], [{"data": {"text": str(i)}} for i in range(3)])
    for _ in range(2):
        worker = org.worker()
        while (offer := worker.next(project["id"])) is not None:
            worker.submit(offer["assignment_id"], {"label": "pos"})
    holder = subprocess.Popen([sys.executable, "-c", HOLD, db_url, f"refit:{project['id']}",
                               "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        assert refit_due_projects(db) == 0  # another process holds this project's refit
    finally:
        holder.kill()
        holder.wait(10)
    assert refit_due_projects(db) == 1
    assert refit_due_projects(db) == 0  # nothing new since
