"""The task callback job: load the tasks of a round of claimed callback jobs, hand their
signed bodies to the callback transport (concurrently, bounded per host), and record every
outcome in one transaction: finish, retry later with backoff, or fail; the task's
``callback_succeeded`` and the delivery log row of each job."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from assay.accounts.service import get_webhook_secrets
from assay.callbacks.delivery import Delivery, Outcome, post_many
from assay.clock import Clock, SystemClock, utcnow
from assay.crypto.errors import Erased, KeyUnavailable
from assay.db.engine import Database
from assay.jobs import queue
from assay.jobs.queue import ClaimedJob
from assay.projects.service import get_project_row
from assay.settings import Settings
from assay.tasks import repository
from assay.tasks.objects import task_object

log = logging.getLogger("assay.callbacks")


@dataclass(frozen=True)
class _Loaded:
    job: ClaimedJob
    org_id: str
    task_id: str
    delivery: Delivery | None  # None: nothing to deliver (see ``gone``)
    gone: str = "nothing to deliver: the task or its URL is gone"
    unreadable: str | None = None  # the org's key is unavailable now: try again later


def _load(session: Session, org_id: str, task_id: str, now: datetime,
          secrets: dict[str, tuple[str, ...]]) -> Delivery | None:
    task = repository.get_task(session, org_id, task_id, any_purpose=True)
    if task is None:
        return None
    project = get_project_row(session, org_id, task.project_id)
    url = task.callback_url or project.callback_url
    if not url:
        return None
    body = json.dumps({"event": "task.completed", "task": task_object(task)},
                      separators=(",", ":")).encode()
    if org_id not in secrets:
        secrets[org_id] = get_webhook_secrets(session, org_id, now)
    return Delivery(url, body, secrets[org_id])


def _record(session: Session, settings: Settings, item: _Loaded, outcome: Outcome | None,
            now: datetime) -> None:
    job = item.job
    code = outcome.status_code if outcome else None
    if outcome is None and item.unreadable is not None:
        outcome = Outcome(None, item.unreadable)
    if outcome is None or outcome.succeeded:
        queue.finish(session, job.id, now)
        if outcome is not None:
            repository.set_callback_succeeded(session, item.org_id, item.task_id, True)
        repository.record_callback_attempt(
            session, item.org_id, job.id, status="delivered" if outcome else "failed",
            attempts=job.attempts, status_code=code,
            error=None if outcome else item.gone,
            next_try_at=None, now=now)
        return
    error = outcome.error or "failed"
    backoff = settings.callback_backoff_s
    if job.attempts <= len(backoff):
        delay = backoff[job.attempts - 1]
        queue.retry_later(session, job.id, now, delay, error)
        repository.record_callback_attempt(
            session, item.org_id, job.id, status="pending", attempts=job.attempts,
            status_code=code, error=error, next_try_at=now + timedelta(seconds=delay),
            now=now)
    else:
        queue.fail(session, job.id, now, error)
        repository.set_callback_succeeded(session, item.org_id, item.task_id, False)
        repository.record_callback_attempt(
            session, item.org_id, job.id, status="failed", attempts=job.attempts,
            status_code=code, error=error, next_try_at=None, now=now)


def deliver_callbacks(db: Database, settings: Settings, jobs: list[ClaimedJob],
                      clock: Clock | None = None) -> None:
    """One round: one read, the deliveries concurrently, one write of every outcome.
    ``clock`` (the app's) decides whether a rotated-out webhook secret still signs."""
    clock = clock or SystemClock()
    now = clock.now()
    secrets: dict[str, tuple[str, ...]] = {}
    loaded: list[_Loaded] = []
    with db.read() as session:
        for job in jobs:
            org_id, task_id = job.payload["org_id"], job.payload["task_id"]
            try:
                delivery = _load(session, org_id, task_id, now, secrets)
            except Erased:  # shredded: there is no body to send, now or ever
                loaded.append(_Loaded(job, org_id, task_id, None,
                                      gone="nothing to deliver: the organization's content "
                                           "was erased (shredded)"))
                continue
            except KeyUnavailable as exc:  # e.g. a customer key file missing for now
                loaded.append(_Loaded(job, org_id, task_id, None,
                                      unreadable=f"key unavailable: {exc}"))
                continue
            loaded.append(_Loaded(job, org_id, task_id, delivery))
    sending = [item for item in loaded if item.delivery is not None]
    outcomes = dict(zip([item.job.id for item in sending],
                        post_many([item.delivery for item in sending
                                   if item.delivery is not None], settings), strict=True))
    done = utcnow()  # queue stamps as before: retries come due by the wall clock

    def write(session: Session) -> None:
        for item in loaded:
            _record(session, settings, item, outcomes.get(item.job.id), done)

    db.write(write)


def deliver_callback(db: Database, settings: Settings, job: ClaimedJob,
                     clock: Clock | None = None) -> None:
    """One job on its own (a round of one)."""
    deliver_callbacks(db, settings, [job], clock)
