"""Replacing a completed task's result after the fact: a reviewer's fix, a customer's
audit, a refit that changed its mind. The callback fires again with the new result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.db.models import Project, Task
from assay.db.types import AnyRow
from assay.jobs.queue import enqueue


def replace_result(session: Session, task: Task, project: Project | AnyRow, result: dict[str, Any],
                   now: datetime) -> None:
    """``task`` is locked by the caller; ``project`` needs ``callback_url``."""
    task.result = result
    task.updated_at = now
    if task.callback_url or project.callback_url:
        task.callback_succeeded = None
        enqueue(session, "callback", {"task_id": task.id, "org_id": task.org_id}, now)
