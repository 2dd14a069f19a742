"""Completing a task: its result by the kind's rule, its callback, its batch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from assay.batches.service import complete_batch_if_done
from assay.db.models import Batch, Project, Task
from assay.jobs.queue import enqueue
from assay.kinds import get_kind
from assay.work import repository


def complete_task(session: Session, task: Task, project: Project, now: datetime) -> None:
    answers = [r.answer for r in repository.list_counted_answers(session, task.id)]
    aggregate = get_kind(project.kind).aggregate(project.params, answers)
    task.result = {
        "answer": aggregate.answer,
        "confidence": aggregate.confidence,
        "method": aggregate.method,
        "n_responses": len(answers),
    }
    task.status = "completed"
    task.completed_at = now
    task.updated_at = now
    if task.callback_url or project.callback_url:
        task.callback_succeeded = None
        enqueue(session, "callback", {"task_id": task.id, "org_id": task.org_id}, now)
    if task.batch_id is not None:
        session.flush()
        batch = session.get_one(Batch, task.batch_id, with_for_update=True)
        complete_batch_if_done(session, batch)
    session.flush()
