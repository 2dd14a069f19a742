"""The task callback job: load the task, hand its signed body to the callback transport,
record the outcome and retry with backoff."""

from __future__ import annotations

import json

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.callbacks.delivery import post_signed
from assay.callbacks.urls import CallbackTargetRefused
from assay.clock import utcnow
from assay.db.engine import Database
from assay.db.models import Organization, Project, Task
from assay.jobs import queue
from assay.jobs.queue import ClaimedJob
from assay.settings import Settings
from assay.tasks.objects import task_object


def _load(session: Session, org_id: str, task_id: str) -> tuple[bytes, str, str] | None:
    task = session.scalars(
        select(Task).where(Task.id == task_id, Task.org_id == org_id)
    ).first()
    if task is None:
        return None
    project = session.get_one(Project, task.project_id)
    org = session.get_one(Organization, org_id)
    url = task.callback_url or project.callback_url
    if not url:
        return None
    body = json.dumps({"event": "task.completed", "task": task_object(task)},
                      separators=(",", ":")).encode()
    return body, url, org.webhook_secret


def _record(db: Database, org_id: str, task_id: str, succeeded: bool | None) -> None:
    def run(session: Session) -> None:
        task = session.scalars(
            select(Task).where(Task.id == task_id, Task.org_id == org_id)
        ).first()
        if task is not None:
            task.callback_succeeded = succeeded

    db.write(run)


def deliver_callback(db: Database, settings: Settings, job: ClaimedJob) -> None:
    org_id, task_id = job.payload["org_id"], job.payload["task_id"]
    with db.read() as session:
        loaded = _load(session, org_id, task_id)
    if loaded is None:
        db.write(lambda s: queue.finish(s, job.id, utcnow()))
        return
    body, url, secret = loaded
    error: str
    try:
        response = post_signed(url, body, secret, settings)
        if 200 <= response.status_code < 300:
            _record(db, org_id, task_id, True)
            db.write(lambda s: queue.finish(s, job.id, utcnow()))
            return
        error = f"HTTP {response.status_code}"
    except CallbackTargetRefused as exc:
        error = f"refused: {exc}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    backoff = settings.callback_backoff_s
    if job.attempts <= len(backoff):
        delay = backoff[job.attempts - 1]
        db.write(lambda s: queue.retry_later(s, job.id, utcnow(), delay, error))
    else:
        _record(db, org_id, task_id, False)
        db.write(lambda s: queue.fail(s, job.id, utcnow(), error))
