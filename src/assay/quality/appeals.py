"""Appeals: a paused worker may appeal once per project; an operator decides, and every
pause, appeal and decision stays on record (``worker_events``, the appeal row).

Granting lifts the pause and gives the worker a fresh start against the accuracy bar: the
bar then applies to the checks made after the decision, while the earlier record stays
visible to everyone who could see it before."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.accounts.service import Requester, WorkerPrincipal
from assay.auditlog import service as auditlog
from assay.clock import isoformat, utcnow
from assay.db.models import Appeal
from assay.errors import Conflict, NotFound
from assay.ids import new_id
from assay.projects import service as projects
from assay.quality import repository
from assay.quality.service import lift_pause, record_event


def appeal_object(appeal: Appeal) -> dict[str, Any]:
    return {"id": appeal.id, "project": appeal.project_id, "worker_id": appeal.worker_id,
            "pause_reason": appeal.pause_reason, "message": appeal.message,
            "status": appeal.status, "decision_note": appeal.decision_note,
            "created_at": isoformat(appeal.created_at),
            "decided_at": isoformat(appeal.decided_at)}


def file_appeal(session: Session, who: WorkerPrincipal, project_id: str,
                message: str) -> dict[str, Any]:
    standing = repository.get_standing(session, project_id, who.worker_id)
    if standing is None or standing.status != "paused":
        raise NotFound(f"you are not paused in project {project_id}")
    appeal = Appeal(id=new_id("apl"), org_id=standing.org_id, project_id=project_id,
                    worker_id=who.worker_id, pause_reason=standing.pause_reason,
                    message=message, status="pending", created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(appeal)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("you have already appealed in this project", code="appeal_exists") from exc
    record_event(session, standing.org_id, project_id, who.worker_id, "appealed",
                 appeal.created_at, standing.pause_reason, message)
    auditlog.record(session, who, "appeal.create", appeal.id, org_id=standing.org_id)
    return appeal_object(appeal)


def worker_appeals(session: Session, who: WorkerPrincipal) -> list[dict[str, Any]]:
    return [appeal_object(a) for a in repository.list_worker_appeals(session, who.worker_id)]


def project_appeals(session: Session, who: Requester, project_id: str) -> list[dict[str, Any]]:
    """The appeals filed in the organization's project, newest first."""
    projects.get_project(session, who, project_id)
    return [appeal_object(a) for a in repository.list_appeals(session, who.org_id, None)
            if a.project_id == project_id]


def list_appeals(session: Session, status: str | None) -> list[dict[str, Any]]:
    """Every organization's appeals (the operator's command)."""
    return [appeal_object(a) for a in repository.list_appeals(session, None, status)]


def decide_appeal(session: Session, appeal_id: str, grant: bool,
                  note: str | None) -> dict[str, Any]:
    """An operator's decision. Granting lifts the pause (future work only: answers that
    stopped counting stay out, reversed pay stays reversed)."""
    appeal = repository.get_appeal(session, None, appeal_id, for_update=True)
    if appeal is None:
        raise NotFound(f"appeal {appeal_id} does not exist")
    if appeal.status != "pending":
        raise Conflict(f"appeal {appeal_id} was already {appeal.status}", code="decided")
    now = utcnow()
    appeal.status = "granted" if grant else "denied"
    appeal.decision_note = note
    appeal.decided_at = now
    record_event(session, appeal.org_id, appeal.project_id, appeal.worker_id, appeal.status,
                 now, appeal.pause_reason, note)
    auditlog.record(session, auditlog.OPERATOR, f"appeal.{'grant' if grant else 'deny'}",
                    appeal.id, org_id=appeal.org_id, at=now)
    if grant:
        standing = repository.get_standing(session, appeal.project_id, appeal.worker_id,
                                           for_update=True)
        if standing is not None:
            lift_pause(standing, now)
    session.flush()
    return appeal_object(appeal)
