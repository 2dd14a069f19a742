"""How batches follow what happens to their tasks."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assay.batches import repository
from assay.batches.service import complete_batch_of_task
from assay.events import subscribe
from assay.tasks.events import TaskReopened, TasksErased


def on_task_reopened(session: Session, event: TaskReopened) -> None:
    if event.batch_id is not None:
        repository.set_in_progress_if_completed(session, event.org_id, event.batch_id,
                                                event.at)


def on_tasks_erased(session: Session, event: TasksErased) -> None:
    for batch_id in event.batch_ids:
        complete_batch_of_task(session, event.org_id, batch_id)


def install() -> None:
    subscribe(TaskReopened, on_task_reopened)
    subscribe(TasksErased, on_tasks_erased)
