"""Changing a completed task's outcome after the fact: a reviewer's fix, a customer's
audit, a refit that changed its mind (the callback fires again with the new result), or
reopening it for more answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from assay.db.models import Project, Task
from assay.db.types import AnyRow
from assay.events import publish
from assay.jobs.queue import enqueue
from assay.tasks import repository
from assay.tasks.events import TaskReopened


@dataclass(frozen=True)
class TaskResult:
    """A completed task's result, as every feature that decides one hands it over: the
    kind's answer (or None), its confidence in [0, 1] (or None), the method that decided
    it (``plurality``, ``dawid_skene``, ``review``, ``audit``, ``none``, …) and how many
    answers it rests on. Stored and served as :meth:`as_json`."""

    answer: Any
    confidence: float | None
    method: str
    n_responses: int

    def as_json(self) -> dict[str, Any]:
        return {"answer": self.answer, "confidence": self.confidence, "method": self.method,
                "n_responses": self.n_responses}


def enqueue_callback(session: Session, task: Task | AnyRow, project: Project | AnyRow,
                     now: datetime) -> str:
    """Queue a delivery of ``task``'s callback (to its URL, else ``project``'s) and its
    record in the delivery log; returns the record's id."""
    url = task.callback_url or project.callback_url or ""
    parts = urlsplit(url)
    host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    job_id = enqueue(session, "callback", {"task_id": task.id, "org_id": task.org_id}, now)
    return repository.add_callback_delivery(session, task.org_id, task.id, job_id, host,
                                            now).id


def replace_result(session: Session, task: Task, project: Project | AnyRow, result: TaskResult,
                   now: datetime) -> None:
    """``task`` is locked by the caller; ``project`` needs ``callback_url``."""
    task.result = result.as_json()
    task.updated_at = now
    if task.callback_url or project.callback_url:
        task.callback_succeeded = None
        enqueue_callback(session, task, project, now)


def reopen_task(session: Session, task: Task, now: datetime, overlap: int | None = None) -> None:
    """Return a completed task (locked by the caller) to the pool, asking for ``overlap``
    answers if given; its batch, if it was completed, is in progress again
    (:class:`TaskReopened`)."""
    task.status = "pending"
    task.result = None
    task.completed_at = None
    task.updated_at = now
    if overlap is not None:
        task.overlap = overlap
    publish(session, TaskReopened(task.org_id, task.id, task.batch_id, now))
