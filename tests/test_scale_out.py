"""Two API processes (``assay serve --no-jobs``) and a jobs process (``assay jobs``) on one
PostgreSQL under 16 workers: overlap is never exceeded, no worker gets a task twice, and
every callback arrives with a valid signature, also when the jobs process is killed
mid-delivery and another takes over (a second delivery only after a claim that died)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assay.callbacks.signing import verify
from assay.client import WorkerClient
from assay.db.engine import Database
from assay.db.models import Job, Response
from tests.support import (
    TEST_ENV,
    ServerProcess,
    drop_pg_database,
    make_org,
    new_pg_database,
    pg_url,
)
from tests.test_callbacks import Receiver

TASKS, OVERLAP, WORKERS = 60, 3, 16


@pytest.fixture()
def pg_db(pg_template: str | None) -> Iterator[str]:
    if pg_template is None:
        pytest.skip("PostgreSQL is not reachable on this machine")
    name = new_pg_database(pg_template)
    yield pg_url(name)
    drop_pg_database(name)


def _jobs(db_url: str, log: Path) -> subprocess.Popen[bytes]:
    # Short leases: the callbacks the killed process held are claimed again within seconds.
    env = {**os.environ, **TEST_ENV, "ASSAY_CALLBACK_TIMEOUT_S": "1",
           "ASSAY_JOB_LEASE_SLACK_S": "3"}
    return subprocess.Popen([sys.executable, "-m", "assay.cli", "jobs", "--db", db_url],
                            env=env, stdout=open(log, "ab"),
                            stderr=subprocess.STDOUT)


def test_two_api_processes_and_a_killed_jobs_process(pg_db: str, tmp_path: Path) -> None:
    db = Database(pg_db)
    apis = [ServerProcess(pg_db, log_path=tmp_path / f"api{i}.log", args=["--no-jobs"]).start()
            for i in range(2)]
    receiver = Receiver(delay_s=0.3)  # slow, so that the kill lands mid-delivery
    jobs = _jobs(pg_db, tmp_path / "jobs.log")
    try:
        org = make_org(apis[0].url, db, "Scale")
        project = org.client.create_project(
            name="scale", kind="categorize", params={"labels": ["pos", "neg"]},
            quality={"overlap": OVERLAP})
        org.client.create_tasks(project["id"], [
            {"data": {"text": f"item {i}"}, "callback_url": receiver.url}
            for i in range(TASKS)])
        tokens = [org.worker()._http.headers["Authorization"].split()[1]
                  for _ in range(WORKERS)]
        answered = Counter[int]()
        errors: list[str] = []

        def work(i: int) -> None:
            worker = WorkerClient(apis[i % 2].url, tokens[i])
            try:
                while (offer := worker.next(project["id"])) is not None:
                    worker.submit(offer["assignment_id"], {"label": "pos"})
                    answered[i] += 1
            except Exception as exc:  # reported below: any failure fails the test
                errors.append(repr(exc))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
        for t in threads:
            t.start()
        # Kill the jobs process while it delivers, and start another.
        deadline = time.monotonic() + 120
        while len(receiver.calls) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        jobs.send_signal(signal.SIGKILL)
        jobs.wait(10)
        jobs = _jobs(pg_db, tmp_path / "jobs.log")
        for t in threads:
            t.join(300)
        assert errors == []
        assert sum(answered.values()) == TASKS * OVERLAP

        with db.read() as session:
            per_task = session.execute(
                select(Response.task_id, func.count(), func.count(Response.worker_id.distinct()))
                .group_by(Response.task_id)).all()
        assert len(per_task) == TASKS
        assert all(n == OVERLAP and distinct == OVERLAP for _, n, distinct in per_task)

        def delivered() -> set[str]:
            return {json.loads(body)["task"]["id"] for _, body in receiver.calls}

        deadline = time.monotonic() + 120  # a job claimed by the killed process waits out
        while len(delivered()) < TASKS and time.monotonic() < deadline:  # its lease
            time.sleep(0.2)
        assert len(delivered()) == TASKS
        for headers, body in receiver.calls:
            assert verify(org.webhook_secret, body, headers["Assay-Signature"])
        counts = Counter(json.loads(body)["task"]["id"] for _, body in receiver.calls)
        twice = {task for task, n in counts.items() if n > 1}
        with db.read() as session:
            retried = {p["task_id"] for p, attempts in session.execute(
                select(Job.payload, Job.attempts).where(Job.kind == "callback")).all()
                if attempts > 1}
        assert retried, "the kill landed between deliveries: nothing was claimed twice"
        assert twice <= retried, "a callback was delivered twice without a failed claim"
    finally:
        jobs.send_signal(signal.SIGTERM)
        jobs.wait(30)
        for api in apis:
            api.stop()
        receiver.close()
        db.dispose()
