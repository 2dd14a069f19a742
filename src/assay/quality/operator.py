"""What an operator does by hand, from the command line: pause a worker in a project (for
``fraud`` — pay reversed — or ``operator``, a plain hold), lift such a pause, and read the
integrity flags. Each action is appended to the worker's record with the operator's note.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assay.auditlog import service as auditlog
from assay.clock import utcnow
from assay.db.models import Project
from assay.errors import Conflict, NotFound
from assay.integrity import service as integrity
from assay.projects.service import get_project_as_operator
from assay.quality.service import lift_pause, pause_worker, record_event, standing_for
from assay.tasks.answers import has_answered

OPERATOR_REASONS = ("fraud", "operator")


def _standing(session: Session, project_id: str, worker_id: str) -> tuple[Project, Any]:
    """The project (of any organization) and the worker's standing row in it (made when
    missing) if they answered in the project."""
    project = get_project_as_operator(session, project_id)
    if not has_answered(session, project.org_id, worker_id, project_id):
        raise NotFound(f"worker {worker_id} has not answered in project {project_id}")
    return project, standing_for(session, project, worker_id, utcnow())


def operator_pause(session: Session, project_id: str, worker_id: str, reason: str,
                   note: str | None) -> dict[str, Any]:
    if reason not in OPERATOR_REASONS:
        raise Conflict(f"reason must be one of {OPERATOR_REASONS}", code="invalid_reason")
    project, standing = _standing(session, project_id, worker_id)
    if standing.status == "paused":
        raise Conflict(f"worker {worker_id} is already paused ({standing.pause_reason})",
                       code="already_paused")
    pause_worker(session, project, worker_id, reason, utcnow(), note)
    auditlog.record(session, auditlog.OPERATOR, "worker.pause", worker_id, org_id=project.org_id)
    return {"project": project_id, "worker_id": worker_id, "status": "paused",
            "pause_reason": reason}


def operator_resume(session: Session, project_id: str, worker_id: str,
                    note: str | None) -> dict[str, Any]:
    """Lift a pause. As with a granted appeal, the accuracy bar then applies to the checks
    made from now on; the record, stopped answers and reversed pay stay as they are."""
    _, standing = _standing(session, project_id, worker_id)
    if standing.status != "paused":
        raise Conflict(f"worker {worker_id} is not paused", code="not_paused")
    now = utcnow()
    record_event(session, standing.org_id, project_id, worker_id, "resumed", now,
                 standing.pause_reason, note)
    lift_pause(standing, now)
    auditlog.record(session, auditlog.OPERATOR, "worker.resume", worker_id,
                    org_id=standing.org_id, at=now)
    session.flush()
    return {"project": project_id, "worker_id": worker_id, "status": "active",
            "pause_reason": None}


def list_project_flags(session: Session, project_id: str) -> list[dict[str, Any]]:
    project = get_project_as_operator(session, project_id)
    return [integrity.flag_object(f)
            for f in integrity.list_flags(session, project.org_id, project.id)]
