"""Task queries, always scoped to an organization."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from assay.db.models import Batch, Response, Task
from assay.db.sealing import seal


def get_task(session: Session, org_id: str, task_id: str, *, for_update: bool = False,
             any_purpose: bool = False) -> Task | None:
    """The organization's live task (or, with ``any_purpose``, also a gold or training
    one), or None."""
    stmt = select(Task).where(Task.id == task_id, Task.org_id == org_id)
    if not any_purpose:
        stmt = stmt.where(Task.purpose == "live")
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
