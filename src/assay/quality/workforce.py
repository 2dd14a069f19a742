"""What a requester does about the workers of their own project: pause one with a reason,
lift the pause, decide the worker's appeal. The same rules as the operator's commands
(``quality/operator.py``, ``quality/appeals.py``) but scoped to the organization: a project
or worker of another organization, or a worker who never answered in the project, reads
as missing. A requester's pause is a plain hold (``operator``): answers keep counting and
pay stands. Each action is on the worker's record with the requester's note.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.errors import Conflict, NotFound
from assay.projects import service as projects
from assay.quality import repository
from assay.quality.appeals import appeal_object
from assay.quality.service import lift_pause, pause_worker, record_event, standing_for
from assay.tasks.answers import has_answered


def _standing(session: Session, who: Requester, project_id: str, worker_id: str,
              now: datetime) -> tuple[Any, Any]:
    project = projects.get_project(session, who, project_id)
    if not has_answered(session, who.org_id, worker_id, project_id):
        raise NotFound("worker not found in this project")
    return project, standing_for(session, project, worker_id, now)


def pause(session: Session, who: Requester, project_id: str, worker_id: str, note: str,
          now: datetime) -> dict[str, Any]:
    project, standing = _standing(session, who, project_id, worker_id, now)
    if standing.status == "paused":
        raise Conflict(f"the worker is already paused ({standing.pause_reason})",
                       code="already_paused")
    pause_worker(session, project, worker_id, "operator", now, note)
    auditlog.record(session, who, "worker.pause", worker_id)
    return {"project": project_id, "worker_id": worker_id, "status": "paused",
            "pause_reason": "operator"}


def resume(session: Session, who: Requester, project_id: str, worker_id: str,
           note: str | None, now: datetime) -> dict[str, Any]:
    """Lift a pause: the accuracy bar then applies to the checks made from now on."""
    _, standing = _standing(session, who, project_id, worker_id, now)
    if standing.status != "paused":
        raise Conflict("the worker is not paused", code="not_paused")
    record_event(session, who.org_id, project_id, worker_id, "resumed", now,
                 standing.pause_reason, note)
    lift_pause(standing, now)
    auditlog.record(session, who, "worker.resume", worker_id)
    session.flush()
    return {"project": project_id, "worker_id": worker_id, "status": "active",
            "pause_reason": None}


def decide_appeal(session: Session, who: Requester, project_id: str, worker_id: str,
                  grant: bool, note: str | None, now: datetime) -> dict[str, Any]:
    """Grant (the pause is lifted) or deny the worker's pending appeal in the project."""
    _, standing = _standing(session, who, project_id, worker_id, now)
    appeal = repository.get_worker_appeal(session, worker_id, project_id)
    if appeal is None or appeal.org_id != who.org_id:
        raise NotFound("the worker has no appeal in this project")
    if appeal.status != "pending":
        raise Conflict(f"the appeal was already {appeal.status}", code="decided")
    appeal.status = "granted" if grant else "denied"
    appeal.decision_note = note
    appeal.decided_at = now
    record_event(session, who.org_id, project_id, worker_id, appeal.status, now,
                 appeal.pause_reason, note)
    auditlog.record(session, who, f"appeal.{'grant' if grant else 'deny'}", appeal.id)
    if grant and standing.status == "paused":
        lift_pause(standing, now)
    session.flush()
    return appeal_object(appeal)
