"""A job queue in the database: jobs are rows, enqueued in the transaction that causes them.

Claiming is a conditional UPDATE that checks the row is still due; on PostgreSQL the
candidates are read with ``FOR UPDATE SKIP LOCKED`` so concurrent runners take different
rows. A job claimed twice (a runner died after claiming) is harmless: handlers are
idempotent and the claim carries a lease (``locked_until``) after which it is due again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from assay.db.models import Job
from assay.ids import new_id


@dataclass(frozen=True)
class ClaimedJob:
    id: str
    kind: str
    payload: dict[str, Any]
    attempts: int


def enqueue(session: Session, kind: str, payload: dict[str, Any], now: datetime,
            delay_s: float = 0.0) -> str:
    job = Job(id=new_id("job"), kind=kind, payload=payload, status="queued", attempts=0,
              run_at=now + timedelta(seconds=delay_s), created_at=now, updated_at=now)
    session.add(job)
    return job.id


def claim_due(session: Session, now: datetime, limit: int, lease_s: float, *,
              kinds: Sequence[str] | None = None,
              other_kinds: bool = False) -> list[ClaimedJob]:
    """Claim up to ``limit`` due jobs for ``lease_s`` seconds: of ``kinds`` only when given,
    or (``other_kinds``) of any kind but those."""
    due = or_(
        (Job.status == "queued") & (Job.run_at <= now),
        (Job.status == "running") & (Job.locked_until <= now),
    )
    stmt = select(Job.id).where(due).order_by(Job.run_at).limit(limit)
    if kinds is not None:
        stmt = stmt.where(Job.kind.not_in(kinds) if other_kinds else Job.kind.in_(kinds))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    claimed: list[ClaimedJob] = []
    for job_id in session.scalars(stmt).all():
        result = session.execute(
            update(Job).where(Job.id == job_id, due)
            .values(status="running", locked_until=now + timedelta(seconds=lease_s),
                    attempts=Job.attempts + 1, updated_at=now)
            .returning(Job.kind, Job.payload, Job.attempts),
            execution_options={"synchronize_session": False},
        ).first()
        if result is not None:
            claimed.append(ClaimedJob(job_id, result[0], result[1], result[2]))
    return claimed


def finish(session: Session, job_id: str, now: datetime) -> None:
    session.execute(update(Job).where(Job.id == job_id)
                    .values(status="done", locked_until=None, updated_at=now),
                    execution_options={"synchronize_session": False})


def retry_later(session: Session, job_id: str, now: datetime, delay_s: float,
                error: str) -> None:
    session.execute(update(Job).where(Job.id == job_id)
                    .values(status="queued", run_at=now + timedelta(seconds=delay_s),
                            locked_until=None, last_error=error[:2000], updated_at=now),
                    execution_options={"synchronize_session": False})


def fail(session: Session, job_id: str, now: datetime, error: str) -> None:
    session.execute(update(Job).where(Job.id == job_id)
                    .values(status="failed", locked_until=None, last_error=error[:2000],
                            updated_at=now),
                    execution_options={"synchronize_session": False})


def backlog(session: Session, now: datetime) -> tuple[int, float | None]:
    """How many jobs are due now and not done (queued and due, or claimed by a runner whose
    lease ran out), and how many seconds the oldest has waited (None when none)."""
    due = or_(
        (Job.status == "queued") & (Job.run_at <= now),
        (Job.status == "running") & (Job.locked_until <= now),
    )
    count, oldest = session.execute(select(func.count(), func.min(Job.run_at)).where(due)).one()
    if not count or oldest is None:
        return int(count or 0), None
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return int(count), max(0.0, (now - oldest).total_seconds())


def extend_lease(session: Session, job_id: str, now: datetime, lease_s: float) -> None:
    """Keep a long job claimed: its lease now runs ``lease_s`` from ``now`` (a job that
    outlives its lease would be claimed again and run twice)."""
    session.execute(update(Job).where(Job.id == job_id, Job.status == "running")
                    .values(locked_until=now + timedelta(seconds=lease_s), updated_at=now),
                    execution_options={"synchronize_session": False})
