"""Erasure: ``DELETE /v1/tasks/{id}``, ``DELETE /v1/projects/{id}`` and the retention sweep.

An erased task keeps its row as a tombstone — id, organization, project, batch, times and
counters — with status and purpose ``erased``; its data, metadata, ``unique_id``, result,
callback URL, gold answer and explanation are overwritten, and so are its answers' content,
reviewers' and auditors' answers and comments, and skip comments. Nothing reads the old
values first (they may be stored encrypted): the columns are simply replaced. Every read
treats a tombstone as missing (``404``, the same body as an id that never existed), so an
erased id tells nobody — its owner or another organization — anything.

What stays, on purpose: the answer rows (without their content) with their worker, time and
duration, so a worker's counts, standing and the quality figures that were computed from
them do not change; the pay ledger (amounts, worker, the answer each earning pays for); the
organization's audit trail. See docs/security.md, "Erasure and retention".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.auditlog.service import OPERATOR
from assay.clock import Clock
from assay.crypto.keys import shredded_org_ids
from assay.db.engine import Database
from assay.errors import NotFound
from assay.events import publish
from assay.projects import service as projects
from assay.tasks import repository
from assay.tasks.events import TaskContentErased, TasksErased

RETENTION_SWEEP_S = 300.0
"""How often the job runner looks for completed tasks past their project's retention."""

_SWEEP_CHUNK = 500


def _erase(session: Session, org_id: str, now: datetime, *,
           task_ids: list[str] | None = None, project_id: str | None = None) -> None:
    repository.zero_freed_space(session)
    batches = repository.erase_tasks(session, org_id, task_ids=task_ids,
                                     project_id=project_id, now=now)
    if batches:
        publish(session, TasksErased(org_id, tuple(batches), now))
    publish(session, TaskContentErased(org_id, None if task_ids is None else tuple(task_ids),
                                       project_id, now))


def erase_task(session: Session, who: Requester, task_id: str, now: datetime) -> None:
    """Erase one of the organization's tasks; a missing, foreign or erased one is
    :class:`NotFound` (so a second ``DELETE`` answers ``404``)."""
    task = repository.lock_live_task(session, who.org_id, task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    _erase(session, who.org_id, now, task_ids=[task.id])
    auditlog.record(session, who, "task.erase", task.id, at=now)


def erase_project(session: Session, who: Requester, project_id: str, now: datetime) -> None:
    """Erase a project: every task of it (gold and training included) and the project's
    own content; the project's id then answers ``404`` like a missing one."""
    # Not FOR UPDATE: a submit holding its assignment would wait for that lock when its
    # answer's foreign key checks the project, while this waits for the assignment (a
    # deadlock, seen under load). Submits and leases are fenced by the tasks instead,
    # which `erase_tasks` locks first.
    project = projects.get_project(session, who, project_id, for_update=True, key_share=True)
    _erase(session, who.org_id, now, project_id=project.id)
    repository.erase_project_row(session, who.org_id, project.id, now)
    auditlog.record(session, who, "project.erase", project.id, at=now)


def erase_expired(session: Session, now: datetime, org_id: str | None) -> int:
    """Erase up to a chunk per project of completed tasks past their project's
    ``retention_days`` (``org_id`` None: every organization's, the sweep); returns how
    many were erased."""
    erased = 0
    shredded = shredded_org_ids(session)  # crypto-erased already: nothing left to erase
    for org, project_id, days in repository.list_retention_projects(session, org_id):
        if org in shredded:
            continue
        ids = repository.list_expired_task_ids(session, org, project_id,
                                               now - timedelta(days=days), _SWEEP_CHUNK)
        if ids:
            _erase(session, org, now, task_ids=ids)
            for task_id in ids:  # the retention sweep is the operator's setting acting
                auditlog.record(session, OPERATOR, "task.erase", task_id, org_id=org, at=now)
            erased += len(ids)
    return erased


def sweep_retention(db: Database, clock: Clock) -> int:
    """The periodic job (on the app's clock): erase every expired task, a chunk per project
    and transaction, until none is left."""
    now = clock.now()
    total = 0
    while True:
        erased = db.write(lambda s: erase_expired(s, now, None))
        total += erased
        if not erased:
            return total
