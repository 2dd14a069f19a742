"""The task object of API.md, shared by the API, exports and callbacks."""

from __future__ import annotations

from typing import Any

from assay.clock import isoformat
from assay.db.models import Response, Task


def response_object(response: Response) -> dict[str, Any]:
    return {
        "worker_id": response.worker_id,
        "answer": response.answer,
        "duration_ms": response.duration_ms,
        "created_at": isoformat(response.created_at),
    }


def task_object(task: Task | Any, responses: list[Response] | None = None) -> dict[str, Any]:
    """``task`` is a :class:`Task` or a row with the same attribute names."""
    obj: dict[str, Any] = {
        "id": task.id,
        "project": task.project_id,
        "batch": task.batch_id,
        "status": task.status,
        "data": task.data,
        "metadata": task.meta,
        "unique_id": task.unique_id,
        "priority": task.priority,
        "result": task.result,
        "created_at": isoformat(task.created_at),
        "updated_at": isoformat(task.updated_at),
        "completed_at": isoformat(task.completed_at),
        "callback_url": task.callback_url,
        "callback_succeeded": task.callback_succeeded,
        "review_status": task.review_status,
    }
    if responses is not None:
        obj["responses"] = [response_object(r) for r in responses]
    return obj
