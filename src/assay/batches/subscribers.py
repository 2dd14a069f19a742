"""How batches follow what happens to their tasks."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assay.batches import repository
from assay.events import subscribe
from assay.tasks.events import TaskReopened


def on_task_reopened(session: Session, event: TaskReopened) -> None:
    if event.batch_id is not None:
        repository.set_in_progress_if_completed(session, event.org_id, event.batch_id,
                                                event.at)


def install() -> None:
    subscribe(TaskReopened, on_task_reopened)
