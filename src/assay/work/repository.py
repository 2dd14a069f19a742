"""Queries of the work queue. Worker-side lookups are scoped to the worker.

These are the hottest statements of the system (two per answer), so they are Core
statements on the session's connection returning plain rows: no identity map, no unit of
work, only the columns each step needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session

from assay.db.models import Assignment, Response, Task
from assay.db.types import AnyRow

A, R, T = Assignment, Response, Task


def _in(name: str) -> Any:
    return bindparam(name, expanding=True)


# The statements of the hot path are built once: building expression trees costs more than
# running them. Values are bound at execution.
_LIVE = (select(A.id, A.org_id, A.task_id, A.project_id, A.expires_at)
         .where(A.worker_id == bindparam("worker"), A.status == "active",
                A.expires_at > bindparam("now"), A.project_id.in_(_in("projects")))
         .order_by(A.id).limit(1))
_ASSIGNMENT = (select(A.id, A.org_id, A.task_id, A.project_id, A.status, A.created_at,
                      A.expires_at)
               .where(A.id == bindparam("key"), A.worker_id == bindparam("worker")))
_ASSIGNMENT_LOCKED = _ASSIGNMENT.with_for_update()
_TASK_DATA = select(T.data).where(T.id == bindparam("key"))
_TASK_LOCKED = (select(T.id, T.org_id, T.project_id, T.batch_id, T.status, T.data, T.overlap,
                       T.n_responses, T.callback_url, T.expected_answer, T.explanation)
                .where(T.id == bindparam("key")).with_for_update())
_OPEN = (select(T.id, T.org_id, T.project_id, T.data)
         .where(T.project_id.in_(_in("projects")), T.status == "pending", T.held.is_(False),
                T.slots_taken < T.overlap,
                ~exists().where(A.task_id == T.id, A.worker_id == bindparam("worker")))
         .order_by(T.priority.desc(), T.id)
         .limit(1))
_OPEN_LOCKED = _OPEN.with_for_update(skip_locked=True)
_ADD_SLOTS = update(T).where(T.id == bindparam("key")).values(
    slots_taken=T.slots_taken + bindparam("delta"))
_COUNT_RESPONSE = update(T).where(T.id == bindparam("key")).values(
    n_responses=T.n_responses + 1, updated_at=bindparam("now"))
_FINISH = update(A).where(A.id == bindparam("key")).values(
    status=bindparam("status"), finished_at=bindparam("now"), skip_reason=bindparam("reason"),
    skip_comment=bindparam("comment"))
_INSERT_ASSIGNMENT = insert(A)
_INSERT_RESPONSE = insert(R)
_ANSWERS = select(R.answer).where(R.task_id == bindparam("key"), R.counts).order_by(R.id)


def get_live_assignment(session: Session, worker_id: str, project_ids: Sequence[str],
                        now: datetime) -> AnyRow | None:
    return session.connection().execute(
        _LIVE, {"worker": worker_id, "now": now, "projects": list(project_ids)}).first()


def get_assignment_for_worker(session: Session, worker_id: str, assignment_id: str, *,
                              for_update: bool = False) -> AnyRow | None:
    stmt = _ASSIGNMENT_LOCKED if for_update else _ASSIGNMENT
    return session.connection().execute(stmt, {"key": assignment_id, "worker": worker_id}).first()


def get_task_data(session: Session, task_id: str) -> Any:
    return session.connection().execute(_TASK_DATA, {"key": task_id}).scalar_one()


def get_task_locked(session: Session, task_id: str) -> AnyRow:
    return session.connection().execute(_TASK_LOCKED, {"key": task_id}).one()


def expire_leases(session: Session, project_ids: Sequence[str] | None, now: datetime, *,
                  worker_id: str | None = None) -> int:
    """Mark overdue assignments expired and give their slots back; returns how many. With
    ``worker_id``, end every live lease of that worker instead (they were paused).

    The conditional UPDATE makes two concurrent sweeps harmless: each assignment is
    expired, and its slot returned, exactly once."""
    conn = session.connection()
    stmt = update(A).where(A.status == "active")
    stmt = stmt.where(A.worker_id == worker_id) if worker_id else stmt.where(A.expires_at <= now)
    if project_ids is not None:
        stmt = stmt.where(A.project_id.in_(project_ids))
    task_ids = conn.execute(
        stmt.values(status="expired", finished_at=now).returning(A.task_id)
    ).scalars().all()
    for task_id, n in sorted(Counter(task_ids).items()):
        conn.execute(update(T).where(T.id == task_id).values(slots_taken=T.slots_taken - n))
    return len(task_ids)


def find_open_task(session: Session, worker_id: str, project_ids: Sequence[str],
                   skip_ids: Sequence[str], *, lock: bool) -> AnyRow | None:
    """The next task this worker may take: open, not held, a free slot, never seen by this
    worker; highest priority first, then oldest. On PostgreSQL the row is locked and rows
    locked by concurrent leases are skipped."""
    stmt = _OPEN_LOCKED if lock else _OPEN
    if skip_ids:
        stmt = stmt.where(T.id.not_in(skip_ids))
    return session.connection().execute(
        stmt, {"worker": worker_id, "projects": list(project_ids)}).first()


def insert_assignment(session: Session, values: dict[str, Any]) -> None:
    session.connection().execute(_INSERT_ASSIGNMENT, values)


def add_slots(session: Session, task_id: str, delta: int) -> None:
    session.connection().execute(_ADD_SLOTS, {"key": task_id, "delta": delta})


def finish_assignment(session: Session, assignment_id: str, status: str, now: datetime,
                      reason: str | None = None, comment: str | None = None) -> None:
    session.connection().execute(_FINISH, {"key": assignment_id, "status": status, "now": now,
                                           "reason": reason, "comment": comment})


def set_overlap(session: Session, task_id: str, overlap: int) -> None:
    session.connection().execute(update(T).where(T.id == task_id).values(overlap=overlap))


def count_response(session: Session, task_id: str, now: datetime) -> None:
    session.connection().execute(_COUNT_RESPONSE, {"key": task_id, "now": now})


def insert_response(session: Session, values: dict[str, Any]) -> None:
    session.connection().execute(_INSERT_RESPONSE, values)


def count_recent_answers(session: Session, worker_id: str, project_id: str,
                         since: datetime) -> int:
    return session.connection().execute(
        select(func.count()).select_from(R).where(
            R.worker_id == worker_id, R.project_id == project_id, R.created_at > since)
    ).scalar_one()


def list_counted_answers(session: Session, task_id: str) -> list[dict[str, Any]]:
    return list(session.connection().execute(_ANSWERS, {"key": task_id}).scalars())
