"""Background work of a shredded organization (``assay org shred``) ends instead of failing
again every round, and never holds up another organization's (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from assay.clock import ManualClock, utcnow
from assay.crypto.commands import shred
from assay.db.engine import Database
from assay.db.models import CallbackDelivery, Job, Task
from assay.jobs import queue
from assay.quality.refit import refit_due_projects
from assay.settings import Settings
from assay.tasks.erasure import sweep_retention
from assay.tasks.jobs import deliver_callbacks
from tests.support import TEST_ENV, InProcessServer, Org, make_org
from tests.test_callbacks import Receiver


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


def _complete_one(org: Org, url: str) -> str:
    project = org.client.create_project(name="cb", kind="text", params={},
                                        quality={"overlap": 1}, callback_url=url)
    task = org.client.create_task(project["id"], {"prompt": "say something"})
    worker = org.worker()
    assignment = worker.next(project["id"])
    assert assignment is not None
    worker.submit(assignment["assignment_id"], {"text": "something"})
    return str(task["id"])


def test_a_shredded_organizations_callbacks_end_and_hold_up_nobody(
        db: Database, db_url: str, receiver: Receiver) -> None:
    server = InProcessServer(db_url, ManualClock()).start()  # its job runner is off
    try:
        victim, bystander = make_org(server.url, db, "Victim"), make_org(server.url, db, "B")
        _complete_one(victim, receiver.url)
        kept = _complete_one(bystander, receiver.url)
    finally:
        server.stop()
    shred(db, victim.org_id)
    settings = Settings.from_env({**TEST_ENV, "ASSAY_DATABASE_URL": db_url})
    later = utcnow() + timedelta(hours=1)
    jobs = db.write(lambda s: queue.claim_due(s, later, 100, 60, kinds=["callback"]))
    mine = [job for job in jobs if job.payload["org_id"] in (victim.org_id, bystander.org_id)]
    assert len(mine) == 2

    deliver_callbacks(db, settings, mine)  # one round holding both: it must not raise

    assert [body for _, body in receiver.calls if kept.encode() in body]  # B's arrived
    assert len(receiver.calls) == 1  # nothing could be sent for the victim
    with db.read() as session:
        logged = {row.org_id: row for row in session.scalars(select(CallbackDelivery).where(
            CallbackDelivery.job_id.in_([job.id for job in mine])))}
        statuses = dict(session.execute(select(Job.id, Job.status).where(
            Job.id.in_([job.id for job in mine]))).all())
    assert logged[bystander.org_id].status == "delivered"
    gone = logged[victim.org_id]
    assert gone.status == "failed" and "erased" in (gone.last_error or "")
    assert set(statuses.values()) == {"done"}  # ended: neither is due again
    again = db.write(lambda s: queue.claim_due(s, later + timedelta(days=1), 100, 60,
                                               kinds=["callback"]))
    assert not [job for job in again if job.id in statuses]


def test_the_sweeps_pass_a_shredded_organization_by(db: Database, db_url: str,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """The refit timer and the retention sweep used to fail on a shredded organization's
    projects every round (the retention sweep's one transaction then erased nobody's
    expired tasks); now they skip it and still serve everyone else."""
    clock = ManualClock()
    server = InProcessServer(db_url, clock).start()
    try:
        orgs = victim, bystander = make_org(server.url, db, "V"), make_org(server.url, db, "B")
        tasks = {}
        for org in orgs:
            project = org.client.create_project(
                name="c", kind="categorize", params={"labels": ["a", "b"]},
                quality={"overlap": 1}, retention_days=1)
            tasks[org.org_id] = org.client.create_task(project["id"], {"text": "x"})["id"]
            worker = org.worker()
            assignment = worker.next(project["id"])
            assert assignment is not None
            worker.submit(assignment["assignment_id"], {"label": "a"})
    finally:
        server.stop()
    shred(db, victim.org_id)
    clock.advance(3 * 86400)
    with caplog.at_level("ERROR"):
        refitted = refit_due_projects(db)
        erased = sweep_retention(db, clock)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
    assert refitted >= 1 and erased >= 1  # the bystander's project: fitted, its task erased
    with db.read() as session:
        kept = session.get(Task, tasks[bystander.org_id])
        assert kept is not None and kept.erased_at is not None
