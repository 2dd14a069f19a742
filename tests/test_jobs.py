"""The job queue: two runners claiming at once each take a job once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from assay.clock import utcnow
from assay.db.engine import Database
from assay.db.models import Job
from assay.jobs import queue


def test_concurrent_claims_take_each_job_once(db: Database) -> None:
    now = utcnow()
    db.write(lambda s: [queue.enqueue(s, "noop", {"n": i}, now) for i in range(60)])
    claimed: list[str] = []
    lock = threading.Lock()

    def claim() -> None:
        for _ in range(10):
            jobs = db.write(lambda s: queue.claim_due(s, utcnow(), 5, 60))
            with lock:
                claimed.extend(j.id for j in jobs)

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(claimed) == len(set(claimed)) == 60


def test_a_claim_whose_lease_ran_out_is_due_again(db: Database) -> None:
    now = utcnow()
    job_id = db.write(lambda s: queue.enqueue(s, "lost", {}, now))
    first = db.write(lambda s: queue.claim_due(s, now, 100, 30))
    assert job_id in [j.id for j in first]
    assert job_id not in [j.id for j in db.write(lambda s: queue.claim_due(s, now, 100, 30))]
    later = now + timedelta(seconds=31)
    again = [j for j in db.write(lambda s: queue.claim_due(s, later, 100, 30))
             if j.id == job_id]
    assert again and again[0].attempts == 2
    db.write(lambda s: queue.finish(s, job_id, later))
    with db.read() as session:
        assert session.scalar(select(Job.status).where(Job.id == job_id)) == "done"
