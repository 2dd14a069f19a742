"""Queries of the work queue. Worker-side lookups are scoped to the worker, a task or an
assignment reached through them to its organization (a primary-key lookup with one more
predicate).

These are the hottest statements of the system (two per answer), so they are Core
statements on the session's connection returning plain rows: no identity map, no unit of
work, only the columns each step needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session

from assay.db.models import Assignment, Prediction, Project, Response, Task, WebSession, Worker
from assay.db.sealing import seal
from assay.db.types import AnyRow

A, R, T = Assignment, Response, Task


def _in(name: str) -> Any:
    return bindparam(name, expanding=True)


# The statements of the hot path are built once: building expression trees costs more than
# running them. Values are bound at execution.
_LIVE = (select(A.id, A.org_id, A.task_id, A.project_id, A.expires_at, A.suggestion)
         .where(A.worker_id == bindparam("worker"), A.status == "active",
                A.expires_at > bindparam("now"), A.project_id.in_(_in("projects")))
         .order_by(A.id).limit(1))
_LIVE_BESIDE = _LIVE.where(A.id != bindparam("beside"))
# A live assignment whose answer the page holds back (undo): its ``finished_at`` marks when
# the worker answered, so the measured time leaves out the hold (docs/worker-page.md).
_HOLD = update(A).where(A.id == bindparam("key"), A.worker_id == bindparam("worker"),
                        A.status == "active").values(finished_at=bindparam("now"))
_ASSIGNMENT = (select(A.id, A.org_id, A.task_id, A.project_id, A.status, A.created_at,
                      A.expires_at, A.finished_at)
               .where(A.id == bindparam("key"), A.worker_id == bindparam("worker")))
_ASSIGNMENT_LOCKED = _ASSIGNMENT.with_for_update()
_TASK_DATA = select(T.data).where(T.id == bindparam("key"), T.org_id == bindparam("org"))
# A submit or skip locks the task before its assignment: the order leasing (task, then
# the new assignment) and erasure (tasks, then their assignments) take, so none of them
# waits on another holding what it needs (the reverse order deadlocked on PostgreSQL).
_TASK_OF_ASSIGNMENT_LOCKED = (
    select(T.id, T.org_id, T.project_id, T.batch_id, T.status, T.data, T.overlap,
           T.n_responses, T.callback_url, T.expected_answer, T.explanation)
    .where(T.id == select(A.task_id).where(A.id == bindparam("key"),
                                           A.worker_id == bindparam("worker"))
           .scalar_subquery())
    .with_for_update(of=T))
_OPEN = (select(T.id, T.org_id, T.project_id, T.data)
         .where(T.project_id.in_(_in("projects")), T.status == "pending", T.held.is_(False),
                T.slots_taken < T.overlap,
                ~exists().where(A.task_id == T.id, A.worker_id == bindparam("worker")))
         .order_by(T.priority.desc(), T.id)
         .limit(1))
_OPEN_LOCKED = _OPEN.with_for_update(skip_locked=True)
_ADD_SLOTS = update(T).where(T.id == bindparam("key"), T.org_id == bindparam("org")).values(
    slots_taken=T.slots_taken + bindparam("delta"))
_COUNT_RESPONSE = update(T).where(T.id == bindparam("key"), T.org_id == bindparam("org")).values(
    n_responses=T.n_responses + 1, updated_at=bindparam("now"))
_FINISH = update(A).where(A.id == bindparam("key"), A.worker_id == bindparam("worker")).values(
    status=bindparam("status"), finished_at=bindparam("now"), skip_reason=bindparam("reason"),
    skip_comment=bindparam("comment"))
_INSERT_ASSIGNMENT = insert(A)
_INSERT_RESPONSE = insert(R)
_ANSWERS = (select(R.answer).where(R.task_id == bindparam("key"), R.org_id == bindparam("org"),
                                   R.counts)
            .order_by(R.id))


def get_live_assignment(session: Session, worker_id: str, project_ids: Sequence[str],
                        now: datetime, beside: str | None = None) -> AnyRow | None:
    """The worker's live assignment in these projects, other than ``beside``."""
    values = {"worker": worker_id, "now": now, "projects": list(project_ids)}
    if beside is None:
        return session.connection().execute(_LIVE, values).first()
    return session.connection().execute(_LIVE_BESIDE, {**values, "beside": beside}).first()


def hold_assignment(session: Session, worker_id: str, assignment_id: str,
                    now: datetime) -> None:
    """Mark the worker's live assignment as answered now, its answer held back by the page."""
    session.connection().execute(_HOLD, {"key": assignment_id, "worker": worker_id, "now": now})


def get_assignment_for_worker(session: Session, worker_id: str, assignment_id: str, *,
                              for_update: bool = False) -> AnyRow | None:
    stmt = _ASSIGNMENT_LOCKED if for_update else _ASSIGNMENT
    return session.connection().execute(stmt, {"key": assignment_id, "worker": worker_id}).first()


def get_task_data(session: Session, org_id: str, task_id: str) -> Any:
    return session.connection().execute(_TASK_DATA, {"key": task_id, "org": org_id}).scalar_one()


def lock_task_of_assignment(session: Session, worker_id: str,
                            assignment_id: str) -> AnyRow | None:
    """Lock the task of the worker's assignment (see ``_TASK_OF_ASSIGNMENT_LOCKED``); None
    when the assignment is not the worker's."""
    return session.connection().execute(_TASK_OF_ASSIGNMENT_LOCKED,
                                        {"key": assignment_id, "worker": worker_id}).first()


def _expire(session: Session, leases: Any, now: datetime) -> int:
    """Mark the live ``leases`` (an UPDATE of assignments) expired and give their slots
    back; returns how many. The conditional UPDATE makes two concurrent runs harmless:
    each assignment is expired, and its slot returned, exactly once."""
    conn = session.connection()
    task_ids = conn.execute(
        leases.where(A.status == "active").values(status="expired", finished_at=now)
        .returning(A.task_id)
    ).scalars().all()
    for task_id, n in sorted(Counter(task_ids).items()):
        conn.execute(update(T).where(T.id == task_id).values(slots_taken=T.slots_taken - n))
    return len(task_ids)


def expire_leases(session: Session, project_ids: Sequence[str] | None, now: datetime) -> int:
    """The lease clock: mark overdue assignments of these projects (None: of every
    project, the job runner's sweep) expired and give their slots back; returns how many."""
    stmt = update(A).where(A.expires_at <= now)
    if project_ids is not None:
        stmt = stmt.where(A.project_id.in_(project_ids))
    return _expire(session, stmt, now)


def end_worker_leases(session: Session, org_id: str, project_id: str, worker_id: str,
                      now: datetime) -> int:
    """End every live lease of the worker in the organization's project (they were
    paused) and give the slots back; returns how many."""
    return _expire(session, update(A).where(A.org_id == org_id, A.project_id == project_id,
                                            A.worker_id == worker_id), now)


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


def insert_assignment(session: Session, *, assignment_id: str, org_id: str, project_id: str,
                      task_id: str, worker_id: str, now: datetime,
                      expires_at: datetime, suggestion: dict[str, Any] | None = None) -> None:
    """A live lease of the task to the worker, with the pre-label it was suggested (shown
    or held back), if any."""
    session.connection().execute(_INSERT_ASSIGNMENT, {
        "id": assignment_id, "org_id": org_id, "project_id": project_id, "task_id": task_id,
        "worker_id": worker_id, "status": "active", "created_at": now,
        "expires_at": expires_at, "finished_at": None, "skip_reason": None,
        "skip_comment": None,
        "suggestion": seal(session, org_id, "assignments", "suggestion", suggestion)})


def add_slots(session: Session, org_id: str, task_id: str, delta: int) -> None:
    session.connection().execute(_ADD_SLOTS, {"key": task_id, "org": org_id, "delta": delta})


def finish_assignment(session: Session, worker_id: str, assignment_id: str, status: str,
                      now: datetime, reason: str | None = None,
                      comment: str | None = None) -> None:
    session.connection().execute(_FINISH, {"key": assignment_id, "worker": worker_id,
                                           "status": status, "now": now, "reason": reason,
                                           "comment": comment})


def set_overlap(session: Session, org_id: str, task_id: str, overlap: int) -> None:
    session.connection().execute(update(T).where(T.id == task_id, T.org_id == org_id)
                                 .values(overlap=overlap))


def count_response(session: Session, org_id: str, task_id: str, now: datetime) -> None:
    session.connection().execute(_COUNT_RESPONSE, {"key": task_id, "org": org_id, "now": now})


def insert_response(session: Session, *, response_id: str, org_id: str, project_id: str,
                    task_id: str, assignment_id: str, worker_id: str, answer: Any,
                    correct: bool | None, duration_ms: int, now: datetime) -> None:
    """A worker's answer; it counts."""
    session.connection().execute(_INSERT_RESPONSE, {
        "id": response_id, "org_id": org_id, "project_id": project_id, "task_id": task_id,
        "assignment_id": assignment_id, "worker_id": worker_id,
        "answer": seal(session, org_id, "responses", "answer", answer),
        "counts": True, "created_at": now, "correct": correct, "duration_ms": duration_ms})


def complete_task(session: Session, org_id: str, task_id: str, values: dict[str, Any]) -> None:
    """Store a task's completion (``values``: result, status, times, review and callback
    state)."""
    if "result" in values:
        values = {**values, "result": seal(session, org_id, "tasks", "result", values["result"])}
    session.connection().execute(update(T).where(T.id == task_id, T.org_id == org_id)
                                 .values(**values))


def count_recent_answers(session: Session, worker_id: str, project_id: str,
                         since: datetime) -> int:
    return session.connection().execute(
        select(func.count()).select_from(R).where(
            R.worker_id == worker_id, R.project_id == project_id, R.created_at > since)
    ).scalar_one()


def list_counted_answers(session: Session, org_id: str, task_id: str) -> list[dict[str, Any]]:
    return list(session.connection().execute(_ANSWERS, {"key": task_id, "org": org_id})
                .scalars())


# Clearances and a worker's personal data (work/clearances.py, work/personal_data.py).

def get_team_worker(session: Session, org_id: str, worker_id: str) -> Worker | None:
    """A worker of the organization's own team (never a crowd worker), not erased."""
    return session.scalars(select(Worker).where(
        Worker.id == worker_id, Worker.org_id == org_id, Worker.erased_at.is_(None))
        .with_for_update()).first()


def end_leases_above(session: Session, org_id: str, worker_id: str, levels: Sequence[str],
                     now: datetime) -> int:
    """End the worker's live leases on the organization's projects whose sensitivity is not
    in ``levels`` and give their slots back; returns how many."""
    hidden = select(Project.id).where(Project.org_id == org_id,
                                      Project.sensitivity.not_in(list(levels)))
    return _expire(session, update(A).where(A.org_id == org_id, A.worker_id == worker_id,
                                            A.project_id.in_(hidden)), now)


def end_all_worker_leases(session: Session, worker_id: str, now: datetime) -> int:
    """End every live lease of the worker, in every project; returns how many."""
    return _expire(session, update(A).where(A.worker_id == worker_id), now)


def erase_worker_credentials(session: Session, worker_id: str, now: datetime) -> None:
    """Replace the worker's email and token digest with placeholders nobody can sign in
    with or collide with (``erased:<id>`` has no ``@``, so no account can be created with
    it, and is not a 64-digit digest), drop the password and clearances, end the
    browser sessions."""
    placeholder = f"erased:{worker_id}"
    session.execute(update(Worker).where(Worker.id == worker_id).values(
        email=placeholder, password_hash=None, token_hash=placeholder, clearances=[],
        erased_at=now))
    session.execute(delete(WebSession).where(WebSession.kind == "worker",
                                             WebSession.subject_id == worker_id))


def get_suggestion(session: Session, org_id: str, task_id: str) -> dict[str, Any] | None:
    """``{"label", "probability"}``: the most probable label of the live task's uploaded
    prediction (curation's ``predictions`` table), or None."""
    row = session.connection().execute(
        select(Prediction.probabilities).join(Task, Task.id == Prediction.task_id)
        .where(Prediction.org_id == org_id, Prediction.task_id == task_id,
               Task.org_id == org_id, Task.purpose == "live")).first()
    if row is None or not row.probabilities:
        return None
    label = max(row.probabilities, key=row.probabilities.get)  # ties: the first label
    return {"label": label, "probability": round(float(row.probabilities[label]), 4)}
