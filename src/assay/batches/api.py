"""HTTP routes for batches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.batches import service
from assay.batches.service import BatchCreate
from assay.db.engine import Database
from assay.http.auth import get_db, require_member, require_requester
from assay.http.documents import BatchDoc, doc
from assay.tasks.service import get_batch

router = APIRouter(prefix="/v1/batches", tags=["batches"])


@router.post("", status_code=201, response_model=None, responses=doc(BatchDoc, 201))
def create_batch(body: BatchCreate, request: Request,
                 who: Requester = Depends(require_member),
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    hosts = request.app.state.settings.allowed_callback_hosts
    return db.write(lambda s: auditlog.noted(s, who, "batch.create", service.batch_object(
        s, service.create_batch(s, who, body, hosts))))


@router.get("/{batch_id}", response_model=None, responses=doc(BatchDoc))
def get_batch_route(batch_id: str, who: Requester = Depends(require_requester),
                    db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        return service.batch_object(session, get_batch(session, who, batch_id))


def _move(action: str) -> Any:
    def route(batch_id: str, who: Requester = Depends(require_member),
              db: Database = Depends(get_db)) -> dict[str, Any]:
        return db.write(
            lambda s: auditlog.noted(s, who, f"batch.{action}", service.batch_object(
                s, service.move_batch(s, who, batch_id, action)))
        )

    route.__name__ = f"{action}_batch"
    return route


for _action in ("finalize", "pause", "resume", "cancel"):
    router.add_api_route(f"/{{batch_id}}/{_action}", _move(_action), methods=["POST"],
                         name=f"{_action}_batch", response_model=None,
                         responses=doc(BatchDoc))
