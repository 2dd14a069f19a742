"""HTTP routes for tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.auditlog.api import read_noted
from assay.db.engine import Database
from assay.http.auth import get_db, require_member, require_requester
from assay.http.documents import BulkResult, TaskDoc, TaskPage, doc
from assay.http.pagination import check_limit, decode_token, page
from assay.tasks import audit, repository, service
from assay.tasks.objects import task_object
from assay.tasks.schemas import AuditIn, BulkCreate, TaskCreate, TaskPatch

router = APIRouter(prefix="/v1/tasks", tags=["tasks"])

Include = Literal["responses"]


def _allowed(request: Request) -> tuple[str, ...]:
    hosts: tuple[str, ...] = request.app.state.settings.allowed_callback_hosts
    return hosts


@router.post("", status_code=201, response_model=None, responses=doc(TaskDoc, 201))
def create_task(body: TaskCreate, request: Request, who: Requester = Depends(require_member),
                db: Database = Depends(get_db)) -> dict[str, Any]:
    return db.write(lambda s: auditlog.noted(s, who, "task.create", task_object(
        service.create_task(s, who, body, _allowed(request)))))


@router.post("/bulk", response_model=None, responses=doc(BulkResult))
def bulk_create(body: BulkCreate, request: Request, who: Requester = Depends(require_member),
                db: Database = Depends(get_db)) -> dict[str, Any]:
    return db.write(lambda s: auditlog.noted(s, who, "task.create_bulk", service.bulk_create(
        s, who, body, _allowed(request)), body.project))


@router.get("", response_model=None, responses=doc(TaskPage))
def list_tasks(project: str | None = None, batch: str | None = None,
               status: Literal["pending", "completed", "canceled", "error"] | None = None,
               updated_after: datetime | None = None, include: Include | None = None,
               limit: int = Query(100), next_token: str | None = None,
               who: Requester = Depends(require_requester),
               db: Database = Depends(get_db)) -> dict[str, Any]:
    limit = check_limit(limit)
    after = decode_token(next_token)
    with db.read() as session:
        tasks = repository.list_tasks(session, who.org_id, project_id=project, batch_id=batch,
                                      status=status, updated_after=updated_after, after=after,
                                      limit=limit + 1)
        responses = (repository.list_counted_responses(session, who.org_id,
                                                       [t.id for t in tasks])
                     if include == "responses" else None)
        docs = [task_object(t, responses.get(t.id, []) if responses is not None else None)
                for t in tasks]
    return read_noted(db, who, "task.list" if include is None else "task.list_answers",
                      project or batch or who.org_id, page(docs, [t.id for t in tasks], limit))


@router.get("/{task_id}", response_model=None, responses=doc(TaskDoc))
def get_task(task_id: str, include: Include | None = None,
             who: Requester = Depends(require_requester),
             db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        task = service.get_task(session, who, task_id)
        responses = None
        if include == "responses":
            responses = repository.list_counted_responses(session, who.org_id, [task.id])
        return read_noted(db, who, "task.read" if include is None else "task.read_answers",
                          task.id, task_object(task, responses.get(task.id, [])
                                               if responses is not None else None))


@router.patch("/{task_id}", response_model=None, responses=doc(TaskDoc))
def patch_task(task_id: str, body: TaskPatch, who: Requester = Depends(require_member),
               db: Database = Depends(get_db)) -> dict[str, Any]:
    return db.write(lambda s: auditlog.noted(s, who, "task.update", task_object(
        service.patch_task(s, who, task_id, body))))


@router.post("/{task_id}/cancel", response_model=None, responses=doc(TaskDoc))
def cancel_task(task_id: str, who: Requester = Depends(require_member),
                db: Database = Depends(get_db)) -> dict[str, Any]:
    return db.write(lambda s: auditlog.noted(s, who, "task.cancel", task_object(
        service.cancel_task(s, who, task_id))))


@router.post("/{task_id}/audit", response_model=None, responses=doc(TaskDoc))
def audit_task(task_id: str, body: AuditIn, who: Requester = Depends(require_member),
               db: Database = Depends(get_db)) -> dict[str, Any]:
    return db.write(lambda s: auditlog.noted(s, who, "task.audit", task_object(
        audit.audit_task(s, who, task_id, body))))
