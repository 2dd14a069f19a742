"""How conversations follow what happens to tasks: erased content takes its turns (the
generated replies, the workers' prompts and choices)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assay.conversations import repository
from assay.events import subscribe
from assay.tasks.events import TaskContentErased


def on_content_erased(session: Session, event: TaskContentErased) -> None:
    repository.delete_task_turns(session, event.org_id, task_ids=event.task_ids,
                                 project_id=event.project_id)


def install() -> None:
    subscribe(TaskContentErased, on_content_erased)
