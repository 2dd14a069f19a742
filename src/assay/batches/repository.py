"""Batch queries, always scoped to an organization."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assay.db.models import Batch, Task


def get_batch(session: Session, org_id: str, batch_id: str, *,
              for_update: bool = False) -> Batch | None:
    stmt = select(Batch).where(Batch.id == batch_id, Batch.org_id == org_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def _pending_tasks(org_id: str, batch_id: str) -> Any:
    return update(Task).where(Task.org_id == org_id, Task.batch_id == batch_id,
                              Task.status == "pending")


def release_tasks(session: Session, org_id: str, batch_id: str) -> None:
    """The batch's pending tasks may be leased."""
    session.execute(_pending_tasks(org_id, batch_id).values(held=False))


def hold_unstarted_tasks(session: Session, org_id: str, batch_id: str) -> None:
    """The batch's pending tasks nobody has leased or answered yet wait."""
    session.execute(_pending_tasks(org_id, batch_id)
                    .where(Task.slots_taken == 0, Task.n_responses == 0).values(held=True))


def cancel_unanswered_tasks(session: Session, org_id: str, batch_id: str,
                            now: datetime) -> None:
    session.execute(_pending_tasks(org_id, batch_id).where(Task.n_responses == 0)
                    .values(status="canceled", updated_at=now))


def count_pending_tasks(session: Session, org_id: str, batch_id: str) -> int:
    return session.scalar(
        select(func.count()).select_from(Task)
        .where(Task.org_id == org_id, Task.batch_id == batch_id, Task.status == "pending")
    ) or 0


def count_tasks_by_status(session: Session, org_id: str, batch_id: str) -> dict[str, int]:
    return {status: n for status, n in session.execute(
        select(Task.status, func.count())
        .where(Task.org_id == org_id, Task.batch_id == batch_id, Task.status != "erased")
        .group_by(Task.status))}


def set_in_progress_if_completed(session: Session, org_id: str, batch_id: str,
                                 now: datetime) -> None:
    """A completed batch whose task reopened is in progress again."""
    session.execute(update(Batch).where(Batch.org_id == org_id, Batch.id == batch_id,
                                        Batch.status == "completed")
                    .values(status="in_progress", updated_at=now))
