"""Batch rules: staging → in_progress ⇄ paused → completed | canceled."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.batches import repository
from assay.callbacks.urls import check_callback_url
from assay.clock import isoformat, utcnow
from assay.db.models import Batch
from assay.db.statuses import LIVE_TASK_STATUS_NAMES
from assay.errors import Conflict
from assay.ids import new_id
from assay.projects import service as projects
from assay.tasks.service import get_batch


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
    if action in ("finalize", "resume"):
        repository.release_tasks(session, batch.org_id, batch.id)
    elif action == "pause":
        # Only unstarted tasks wait; work already under way finishes.
        repository.hold_unstarted_tasks(session, batch.org_id, batch.id)
    else:
        repository.cancel_unanswered_tasks(session, batch.org_id, batch.id, now)
    batch.status = target
    batch.updated_at = now
    if target == "in_progress":
        complete_batch_if_done(session, batch)
    session.flush()
    return batch


def complete_batch_if_done(session: Session, batch: Batch) -> None:
    pending = repository.count_pending_tasks(session, batch.org_id, batch.id)
    if batch.status == "in_progress" and not pending:
        batch.status = "completed"
        batch.updated_at = utcnow()


def complete_batch_of_task(session: Session, org_id: str, batch_id: str) -> None:
    """One of the batch's tasks completed: lock the batch and complete it when no task is
    pending any more."""
    batch = repository.get_batch(session, org_id, batch_id, for_update=True)
    if batch is not None:
        complete_batch_if_done(session, batch)


def batch_object(session: Session, batch: Batch) -> dict[str, Any]:
    counts = dict.fromkeys(LIVE_TASK_STATUS_NAMES, 0)
    counts.update(repository.count_tasks_by_status(session, batch.org_id, batch.id))
    return {"id": batch.id, "project": batch.project_id, "name": batch.name,
            "status": batch.status, "callback_url": batch.callback_url,
            "created_at": isoformat(batch.created_at),
            "updated_at": isoformat(batch.updated_at), "counts": counts}
