"""Customer audits: a verdict on a completed task (``POST /v1/tasks/{id}/audit``).

``accepted`` without an answer marks the result ``review_status: "accepted"``; an ``answer``
(a correction, validated by the kind) replaces the result — ``method: "audit"``,
confidence 1 — marks it ``fixed`` and fires the callback again; ``accepted: false`` without
an answer marks it ``rejected`` and leaves the result as it was, for a reviewer. Every
audit is kept, with its comment.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.clock import utcnow
from assay.db.models import Audit, Task
from assay.errors import Conflict
from assay.ids import new_id
from assay.kinds import get_kind
from assay.kinds.base import KindValidationError
from assay.projects.service import get_project, kind_error
from assay.tasks.results import TaskResult, replace_result
from assay.tasks.schemas import AuditIn
from assay.tasks.service import get_task


def audit_task(session: Session, who: Requester, task_id: str, body: AuditIn) -> Task:
    task = get_task(session, who, task_id, for_update=True)
    if task.status != "completed":
        raise Conflict("only a completed task can be audited", {"status": task.status},
                       code="task_not_completed")
    project = get_project(session, who, task.project_id)
    now = utcnow()
    correction = None
    if body.answer is not None:
        try:
            correction = get_kind(project.kind).validate_answer(project.params, task.data,
                                                                body.answer)
        except KindValidationError as exc:
            raise kind_error(exc) from exc
        outcome = "fixed"
        previous = task.result or {}
        replace_result(session, task, project,
                       TaskResult(correction, 1.0, "audit",
                                  previous.get("n_responses", task.n_responses)), now)
    else:
        outcome = "accepted" if body.accepted else "rejected"
    task.review_status = outcome
    task.updated_at = now
    session.add(Audit(id=new_id("aud"), org_id=who.org_id, task_id=task.id,
                      accepted=body.accepted, answer=correction, comment=body.comment,
                      outcome=outcome, actor=who.user_id or who.key_id, created_at=now))
    session.flush()
    return task
