"""Completing a task: its result by the kind's rule, its callback, its batch."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.batches.service import complete_batch_of_task
from assay.conversations import service as conversations
from assay.db.types import AnyRow
from assay.kinds import get_kind
from assay.review.service import drawn_for_review
from assay.tasks.results import TaskResult, enqueue_callback
from assay.work import repository


def complete_task(session: Session, task: AnyRow, project: AnyRow, now: datetime,
                  rng: random.Random, result: TaskResult | None = None,
                  review: bool = False) -> None:
    """``task`` needs id, org_id, batch_id, callback_url; ``project`` kind, params and
    callback_url. The caller holds the task's row lock. Without a ``result`` (from the
    quality engine), the kind's interim rule computes it."""
    if result is None:
        answers = conversations.resolved_answers(
            session, project, task.org_id, task.id,
            repository.list_counted_answers(session, task.org_id, task.id))
        aggregate = get_kind(project.kind).aggregate(project.params, answers)
        result = TaskResult(aggregate.answer, aggregate.confidence, aggregate.method,
                            len(answers))
    values: dict[str, Any] = {"result": result.as_json(), "status": "completed",
                              "completed_at": now, "updated_at": now}
    if review or drawn_for_review(project, rng):
        values["review_status"] = "pending"
    if task.callback_url or project.callback_url:
        values["callback_succeeded"] = None
        enqueue_callback(session, task, project, now)
    repository.complete_task(session, task.org_id, task.id, values)
    if task.batch_id is not None:
        complete_batch_of_task(session, task.org_id, task.batch_id)
    session.flush()
