"""Batch rules: staging → in_progress ⇄ paused → completed | canceled."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.callbacks.urls import check_callback_url
from assay.clock import isoformat, utcnow
from assay.db.models import Batch, Task
from assay.errors import Conflict
from assay.ids import new_id
from assay.projects import service as projects
from assay.tasks.service import get_batch

TASK_STATUSES = ("pending", "completed", "canceled", "error")


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project: str
    name: str = Field(min_length=1, max_length=200)
    callback_url: str | None = None


def create_batch(session: Session, who: Requester, body: BatchCreate,
                 allowed_hosts: tuple[str, ...]) -> Batch:
    project = projects.get_project(session, who, body.project)
    now = utcnow()
    batch = Batch(id=new_id("bat"), org_id=who.org_id, project_id=project.id, name=body.name,
                  status="staging", callback_url=check_callback_url(body.callback_url,
                                                                    allowed_hosts),
                  created_at=now, updated_at=now)
    session.add(batch)
    session.flush()
    return batch


_MOVES = {
    "finalize": (("staging",), "in_progress"),
    "pause": (("in_progress",), "paused"),
    "resume": (("paused",), "in_progress"),
    "cancel": (("staging", "in_progress", "paused"), "canceled"),
}


def move_batch(session: Session, who: Requester, batch_id: str, action: str) -> Batch:
    batch = get_batch(session, who, batch_id, for_update=True)
    sources, target = _MOVES[action]
    if batch.status == target:
        return batch
    if batch.status not in sources:
        raise Conflict(f"a {batch.status} batch cannot {action}", {"status": batch.status},
                       code="invalid_batch_state")
    now = utcnow()
    tasks = update(Task).where(Task.batch_id == batch.id, Task.status == "pending")
    if action in ("finalize", "resume"):
        session.execute(tasks.values(held=False))
    elif action == "pause":
        # Only unstarted tasks wait; work already under way finishes.
        session.execute(tasks.where(Task.slots_taken == 0, Task.n_responses == 0)
                        .values(held=True))
    else:
        session.execute(tasks.where(Task.n_responses == 0)
                        .values(status="canceled", updated_at=now))
    batch.status = target
    batch.updated_at = now
    if target == "in_progress":
        complete_batch_if_done(session, batch)
    session.flush()
    return batch


def complete_batch_if_done(session: Session, batch: Batch) -> None:
    pending = session.scalar(
        select(func.count()).select_from(Task)
        .where(Task.batch_id == batch.id, Task.status == "pending")
    )
    if batch.status == "in_progress" and not pending:
        batch.status = "completed"
        batch.updated_at = utcnow()


def batch_object(session: Session, batch: Batch) -> dict[str, Any]:
    counts = dict.fromkeys(TASK_STATUSES, 0)
    for status, n in session.execute(
        select(Task.status, func.count()).where(Task.batch_id == batch.id)
        .group_by(Task.status)
    ):
        counts[status] = n
    return {"id": batch.id, "project": batch.project_id, "name": batch.name,
            "status": batch.status, "callback_url": batch.callback_url,
            "created_at": isoformat(batch.created_at),
            "updated_at": isoformat(batch.updated_at), "counts": counts}
