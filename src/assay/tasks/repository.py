"""Task queries, always scoped to an organization."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, text, update
from sqlalchemy.orm import Session

from assay.db.models import (
    Assignment,
    Audit,
    Batch,
    CallbackDelivery,
    Project,
    Response,
    Review,
    Task,
)
from assay.db.sealing import seal
from assay.ids import new_id


def get_task(session: Session, org_id: str, task_id: str, *, for_update: bool = False,
             any_purpose: bool = False) -> Task | None:
    """The organization's live task (or, with ``any_purpose``, also a gold or training
    one), or None."""
    stmt = select(Task).where(Task.id == task_id, Task.org_id == org_id)
    if not any_purpose:
        stmt = stmt.where(Task.purpose == "live")
    else:  # an erased task's tombstone is nobody's to read (tasks/erasure.py)
        stmt = stmt.where(Task.purpose != "erased")
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def get_batch(session: Session, org_id: str, batch_id: str, *,
              for_update: bool = False) -> Batch | None:
    stmt = select(Batch).where(Batch.id == batch_id, Batch.org_id == org_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def get_ids_by_unique_id(session: Session, org_id: str, project_id: str,
                         unique_ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(unique_ids), 500):
        chunk = list(unique_ids[start:start + 500])
        rows = session.execute(
            select(Task.unique_id, Task.id).where(
                Task.org_id == org_id, Task.project_id == project_id,
                Task.unique_id.in_(chunk),
            )
        )
        found.update({uid: tid for uid, tid in rows if uid is not None})
    return found


def list_tasks(session: Session, org_id: str, *, project_id: str | None, batch_id: str | None,
               status: str | None, updated_after: datetime | None, after: str | None,
               limit: int) -> list[Task]:
    stmt = select(Task).where(Task.org_id == org_id, Task.purpose == "live")
    if project_id is not None:
        stmt = stmt.where(Task.project_id == project_id)
    if batch_id is not None:
        stmt = stmt.where(Task.batch_id == batch_id)
    if status is not None:
        stmt = stmt.where(Task.status == status)
    if updated_after is not None:
        stmt = stmt.where(Task.updated_at > updated_after)
    if after is not None:
        stmt = stmt.where(Task.id > after)
    return list(session.scalars(stmt.order_by(Task.id).limit(limit)))


def list_counted_responses(session: Session, org_id: str,
                           task_ids: Sequence[str]) -> dict[str, list[Response]]:
    """The answers that still count, per task, in submission order."""
    out: dict[str, list[Response]] = defaultdict(list)
    for start in range(0, len(task_ids), 500):
        chunk = list(task_ids[start:start + 500])
        rows = session.scalars(
            select(Response)
            .where(Response.org_id == org_id, Response.task_id.in_(chunk), Response.counts)
            .order_by(Response.id)
        )
        for row in rows:
            out[row.task_id].append(row)
    return out


def insert_tasks(session: Session, org_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the organization's tasks, one statement (rows as ``tasks.service`` builds
    them)."""
    session.execute(insert(Task), [
        {**row, "org_id": org_id, "data": seal(session, org_id, "tasks", "data", row["data"])}
        for row in rows])


def has_answered(session: Session, org_id: str, worker_id: str, project_id: str) -> bool:
    """Whether the worker has given at least one answer in the organization's project."""
    return session.scalar(select(Response.id).where(
        Response.org_id == org_id, Response.worker_id == worker_id,
        Response.project_id == project_id).limit(1)) is not None


def count_worker_answers(session: Session, worker_id: str, project_id: str | None,
                         since: datetime | None = None) -> int:
    stmt = select(func.count()).select_from(Response).where(Response.worker_id == worker_id)
    if project_id is not None:
        stmt = stmt.where(Response.project_id == project_id)
    if since is not None:
        stmt = stmt.where(Response.created_at >= since)
    return session.connection().execute(stmt).scalar_one()


# Only the columns of the task object, as plain rows: no ORM identity map over a large export.
_OBJECT_COLUMNS = (Task.id, Task.project_id, Task.batch_id, Task.status, Task.data,
                   Task.meta.label("meta"), Task.unique_id, Task.priority, Task.result,
                   Task.created_at, Task.updated_at, Task.completed_at, Task.callback_url,
                   Task.callback_succeeded, Task.review_status)


def list_live_task_rows(session: Session, org_id: str, project_id: str, after: str,
                        limit: int) -> list[Any]:
    """The next ``limit`` live tasks of the project after id ``after``, as plain rows."""
    return list(session.connection().execute(
        select(*_OBJECT_COLUMNS).where(Task.org_id == org_id, Task.project_id == project_id,
                                       Task.id > after, Task.purpose == "live")
        .order_by(Task.id).limit(limit)).all())


# Erasure (tasks/erasure.py): content columns are overwritten, never read; the rows stay as
# tombstones so that ids are not reused and answers, pay and figures keep their keys.

def zero_freed_space(session: Session) -> None:
    """SQLite: overwrite what this transaction deletes with zeros (``secure_delete``), so the
    erased content is not left in free pages of the file or of a backup of it. PostgreSQL
    leaves dead tuples until VACUUM (``assay db vacuum``)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))


def lock_live_task(session: Session, org_id: str, task_id: str) -> Task | None:
    """The organization's live task, locked for its erasure, or None."""
    return get_task(session, org_id, task_id, for_update=True)


def list_retention_projects(session: Session, org_id: str | None) -> list[tuple[str, str, int]]:
    """(org_id, project id, retention_days) of every project that has a retention
    (``org_id`` None: every organization's, for the retention sweep)."""
    stmt = select(Project.org_id, Project.id, Project.retention_days).where(
        Project.retention_days.is_not(None), Project.erased_at.is_(None))
    if org_id is not None:
        stmt = stmt.where(Project.org_id == org_id)
    return [(o, p, int(d or 0)) for o, p, d in session.execute(stmt)]


def list_expired_task_ids(session: Session, org_id: str, project_id: str,
                          completed_before: datetime, limit: int) -> list[str]:
    """Completed live tasks of the project that completed before ``completed_before``."""
    return list(session.scalars(
        select(Task.id).where(Task.org_id == org_id, Task.project_id == project_id,
                              Task.purpose == "live", Task.status == "completed",
                              Task.completed_at < completed_before)
        .order_by(Task.id).limit(limit).with_for_update()))


def erase_tasks(session: Session, org_id: str, *, task_ids: Sequence[str] | None = None,
                project_id: str | None = None, now: datetime) -> list[str]:
    """Erase the organization's tasks (these ids, or every task of the project, gold and
    training included): live leases end, the content of tasks, answers, reviews and audits
    is overwritten. Returns the batches the tasks belonged to."""
    if (task_ids is None) == (project_id is None):
        raise ValueError("give task_ids or project_id")
    task_where: list[ColumnElement[bool]] = [Task.org_id == org_id]
    if task_ids is not None:
        task_where.append(Task.id.in_(list(task_ids)))
    else:
        task_where.append(Task.project_id == project_id)
    chosen = select(Task.id).where(*task_where).scalar_subquery()
    batches = sorted({b for b in session.scalars(
        select(Task.batch_id).where(*task_where, Task.batch_id.is_not(None)).distinct())
        if b is not None})
    conn = session.connection()
    # The tasks first: a submit or lease locks its task before writing, so one that holds
    # a task has committed before the statements below run (they then see its rows), and
    # one that comes later finds the task erased.
    conn.execute(update(Task).where(*task_where).values(
        status="erased", purpose="erased", data=seal(session, org_id, "tasks", "data", {}),
        meta={}, unique_id=None, result=None,
        callback_url=None, callback_succeeded=None, review_status=None,
        expected_answer=None, explanation=None, review_holder=None, review_until=None,
        slots_taken=0, held=False, erased_at=now, updated_at=now))
    live = update(Assignment).where(Assignment.org_id == org_id,
                                    Assignment.task_id.in_(chosen))
    conn.execute(live.where(Assignment.status == "active")
                 .values(status="expired", finished_at=now))
    conn.execute(live.where(Assignment.skip_comment.is_not(None)).values(skip_comment=None))
    conn.execute(live.where(Assignment.suggestion.is_not(None)).values(suggestion=None))
    # Sealed columns take only sealed values: the empty value, sealed once for all rows.
    conn.execute(update(Response).where(Response.org_id == org_id,
                                        Response.task_id.in_(chosen))
                 .values(answer=seal(session, org_id, "responses", "answer", {}),
                         review_comment=None))
    conn.execute(update(Review).where(Review.org_id == org_id, Review.task_id.in_(chosen))
                 .values(answer=None, comment=None))
    conn.execute(update(Audit).where(Audit.org_id == org_id, Audit.task_id.in_(chosen))
                 .values(answer=None, comment=None))
    return batches


def erase_project_row(session: Session, org_id: str, project_id: str, now: datetime) -> bool:
    """Leave the project as a tombstone: its name, instructions, params and callback gone.
    False when it is not the organization's or is erased already."""
    done = session.connection().execute(
        update(Project).where(Project.org_id == org_id, Project.id == project_id,
                              Project.erased_at.is_(None))
        .values(name="", instructions=seal(session, org_id, "projects", "instructions", ""),
                params={}, callback_url=None, crowd_model=None,
                retention_days=None, erased_at=now, updated_at=now))
    return bool(done.rowcount)


# The callback delivery log: one row per delivery (its job), updated after each attempt.

def add_callback_delivery(session: Session, org_id: str, task_id: str, job_id: str,
                          host: str, now: datetime) -> CallbackDelivery:
    row = CallbackDelivery(id=new_id("cbk"), org_id=org_id, task_id=task_id, job_id=job_id,
                           host=host[:300], status="pending", attempts=0, next_try_at=now,
                           created_at=now, updated_at=now)
    session.add(row)
    return row


def get_callback_delivery(session: Session, org_id: str,
                          delivery_id: str) -> CallbackDelivery | None:
    return session.scalars(select(CallbackDelivery).where(
        CallbackDelivery.org_id == org_id, CallbackDelivery.id == delivery_id)).first()


def pending_callback_delivery(session: Session, org_id: str,
                              task_id: str) -> CallbackDelivery | None:
    return session.scalars(select(CallbackDelivery).where(
        CallbackDelivery.org_id == org_id, CallbackDelivery.task_id == task_id,
        CallbackDelivery.status == "pending").limit(1)).first()


def list_callback_deliveries(session: Session, org_id: str, *, task_id: str | None,
                             status: str | None, after: str | None,
                             limit: int) -> list[CallbackDelivery]:
    stmt = select(CallbackDelivery).where(CallbackDelivery.org_id == org_id)
    if task_id is not None:
        stmt = stmt.where(CallbackDelivery.task_id == task_id)
    if status is not None:
        stmt = stmt.where(CallbackDelivery.status == status)
    if after is not None:
        stmt = stmt.where(CallbackDelivery.id > after)
    return list(session.scalars(stmt.order_by(CallbackDelivery.id).limit(limit)))


def record_callback_attempt(session: Session, org_id: str, job_id: str, *, status: str,
                            attempts: int, status_code: int | None, error: str | None,
                            next_try_at: datetime | None, now: datetime) -> None:
    """After an attempt of the delivery that ``job_id`` carries: its outcome so far
    (``delivered`` stamps ``delivered_at``)."""
    session.execute(
        update(CallbackDelivery)
        .where(CallbackDelivery.org_id == org_id, CallbackDelivery.job_id == job_id)
        .values(status=status, attempts=attempts, last_status_code=status_code,
                last_error=error[:2000] if error else None, next_try_at=next_try_at,
                delivered_at=now if status == "delivered" else None, updated_at=now),
        execution_options={"synchronize_session": False})


def set_callback_succeeded(session: Session, org_id: str, task_id: str,
                           succeeded: bool) -> None:
    session.execute(update(Task).where(Task.org_id == org_id, Task.id == task_id)
                    .values(callback_succeeded=succeeded),
                    execution_options={"synchronize_session": False})
