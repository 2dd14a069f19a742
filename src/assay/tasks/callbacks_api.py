"""``GET /v1/callbacks`` (the delivery log) and ``POST /v1/callbacks/{id}/redeliver``.

A record is one delivery of a task's callback: queued when the task completes (or its
result changes, or on redelivery), updated after each attempt. It shows the URL's host only.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.clock import Clock
from assay.db.engine import Database
from assay.errors import Conflict, NotFound
from assay.http.auth import get_clock, get_db, require_member, require_requester
from assay.http.documents import Doc, doc
from assay.http.pagination import check_limit, decode_token, page
from assay.projects.service import get_project_row
from assay.tasks import repository
from assay.tasks.results import enqueue_callback

if TYPE_CHECKING:
    from assay.db.models import CallbackDelivery

router = APIRouter(prefix="/v1/callbacks", tags=["callbacks"])


class CallbackDeliveryDoc(Doc):
    id: str
    object: Literal["callback_delivery"]
    task: str
    host: str = Field(description="the callback URL's host (and port); never its path, "
                                  "query or credentials")
    status: Literal["pending", "delivered", "failed"]
    attempts: int = Field(description="attempts made so far")
    last_status_code: int | None = Field(description="the receiver's last HTTP status")
    last_error: str | None = Field(description="why the last attempt failed")
    next_try: str | None = Field(description="when the next attempt is due (pending only)")
    delivered_at: str | None
    created_at: str
    updated_at: str


class CallbackDeliveryPage(Doc):
    docs: list[CallbackDeliveryDoc]
    next_token: str | None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def delivery_object(row: CallbackDelivery) -> dict[str, Any]:
    return {"id": row.id, "object": "callback_delivery", "task": row.task_id,
            "host": row.host, "status": row.status, "attempts": row.attempts,
            "last_status_code": row.last_status_code, "last_error": row.last_error,
            "next_try": _iso(row.next_try_at) if row.status == "pending" else None,
            "delivered_at": _iso(row.delivered_at), "created_at": _iso(row.created_at),
            "updated_at": _iso(row.updated_at)}


@router.get("", response_model=None, responses=doc(CallbackDeliveryPage),
            summary="The callback delivery log",
            description="One record per delivery of a task's callback, newest last: "
            "attempts, the last status code or error, the next try, when it was delivered. "
            "Filter by `task` and `status`; paginated. Any role may read it.")
def list_deliveries(task: str | None = None,
                    status: Literal["pending", "delivered", "failed"] | None = None,
                    limit: int = Query(100), next_token: str | None = None,
                    who: Requester = Depends(require_requester),
                    db: Database = Depends(get_db)) -> dict[str, Any]:
    limit = check_limit(limit)
    after = decode_token(next_token)
    with db.read() as session:
        rows = repository.list_callback_deliveries(session, who.org_id, task_id=task,
                                                   status=status, after=after,
                                                   limit=limit + 1)
        docs = [delivery_object(r) for r in rows]
    return page(docs, [r.id for r in rows], limit)


@router.post("/{callback_id}/redeliver", response_model=None,
             responses=doc(CallbackDeliveryDoc),
             summary="Deliver a task's callback again",
             description="Queues a fresh delivery of the task's callback now (the current "
             "task and signature) and answers its record. `409` while a delivery of the task "
             "is pending; `404` for a record that is not the organization's. Members and "
             "admins.")
def redeliver(callback_id: str, who: Requester = Depends(require_member),
              db: Database = Depends(get_db),
              clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    def run(session: Session) -> dict[str, Any]:
        record = repository.get_callback_delivery(session, who.org_id, callback_id)
        task = (repository.get_task(session, who.org_id, record.task_id, for_update=True,
                                    any_purpose=True) if record is not None else None)
        if record is None or task is None:
            raise NotFound(f"callback delivery {callback_id} does not exist")
        project = get_project_row(session, who.org_id, task.project_id)
        if not (task.callback_url or project.callback_url):
            raise Conflict("the task has no callback URL any more")
        if repository.pending_callback_delivery(session, who.org_id, task.id) is not None:
            raise Conflict("a delivery of this task's callback is already pending")
        task.callback_succeeded = None
        new_id = enqueue_callback(session, task, project, clock.now())
        auditlog.record(session, who, "callback.redeliver", task.id)  # the task's data leaves
        session.flush()
        fresh = repository.get_callback_delivery(session, who.org_id, new_id)
        assert fresh is not None
        return delivery_object(fresh)

    return db.write(run)
