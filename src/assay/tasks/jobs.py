"""The task callback job: load the task, hand its signed body to the callback transport,
record the outcome and retry with backoff."""

from __future__ import annotations

import json
from datetime import datetime

import httpx
from sqlalchemy.orm import Session

from assay.accounts.service import get_webhook_secrets
from assay.callbacks.delivery import post_signed
from assay.callbacks.urls import CallbackTargetRefused
from assay.clock import Clock, SystemClock, utcnow
from assay.db.engine import Database
from assay.jobs import queue
from assay.jobs.queue import ClaimedJob
from assay.projects.service import get_project_row
from assay.settings import Settings
from assay.tasks import repository
from assay.tasks.objects import task_object


def _load(session: Session, org_id: str, task_id: str,
          now: datetime) -> tuple[bytes, str, tuple[str, ...]] | None:
    task = repository.get_task(session, org_id, task_id, any_purpose=True)
    if task is None:
        return None
    project = get_project_row(session, org_id, task.project_id)
    url = task.callback_url or project.callback_url
    if not url:
        return None
    body = json.dumps({"event": "task.completed", "task": task_object(task)},
                      separators=(",", ":")).encode()
    return body, url, get_webhook_secrets(session, org_id, now)


def _record(db: Database, org_id: str, task_id: str, succeeded: bool | None) -> None:
    def run(session: Session) -> None:
        task = repository.get_task(session, org_id, task_id, any_purpose=True)
        if task is not None:
            task.callback_succeeded = succeeded

    db.write(run)


def deliver_callback(db: Database, settings: Settings, job: ClaimedJob,
                     clock: Clock | None = None) -> None:
    """``clock`` (the app's) decides whether a rotated-out webhook secret still signs."""
    org_id, task_id = job.payload["org_id"], job.payload["task_id"]
    now = (clock or SystemClock()).now()
    with db.read() as session:
        loaded = _load(session, org_id, task_id, now)
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
