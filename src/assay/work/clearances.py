"""Clearances: which sensitive projects an organization's own workers may be offered.

An admin sets a team worker's clearances (``PATCH /v1/org/workers/{id}``); the work queue,
the worker's pages and their per-project API read them at every request
(``projects.service.worker_levels``). A crowd worker, another organization's worker and a
missing one are all "not found". Lowering a clearance ends the worker's live leases on the
projects they may no longer see, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.db.models import Worker
from assay.errors import NotFound
from assay.projects.sensitivity import normalized, visible_levels
from assay.work import repository


def worker_clearances_object(worker: Worker) -> dict[str, Any]:
    return {"worker_id": worker.id, "clearances": normalized(worker.clearances or [])}


def set_clearances(session: Session, who: Requester, worker_id: str, clearances: list[str],
                   now: datetime) -> dict[str, Any]:
    worker = repository.get_team_worker(session, who.org_id, worker_id)
    if worker is None:
        raise NotFound(f"worker {worker_id} does not exist")
    worker.clearances = normalized(clearances)
    session.flush()
    repository.end_leases_above(session, who.org_id, worker.id,
                                visible_levels(worker.clearances), now)
    auditlog.record(session, who, "worker.update", worker.id, at=now)
    return worker_clearances_object(worker)
