"""HTTP routes for model endpoints (API.md part two, "Models")."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Body, Depends, Query, Request

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.db.engine import Database
from assay.http.auth import get_db, require_member, require_requester
from assay.http.documents import SERVER_ERRORS, ErrorDoc
from assay.http.pagination import check_limit, decode_token, page
from assay.models import calls, service
from assay.models.schemas import (
    ModelCreate,
    ModelDeleted,
    ModelDoc,
    ModelPage,
    ModelPatch,
    ModelTestDoc,
    ModelTestIn,
    ModelUsageDoc,
)

router = APIRouter(prefix="/v1/models", tags=["models"])

# Model calls wait on the network for up to their deadline: they run on threads of their
# own, so that slow models never hold the threads every other route shares.
_CALL_THREADS = anyio.CapacityLimiter(64)

_ERRORS: dict[int | str, dict[str, Any]] = {"4XX": {"model": ErrorDoc}, **SERVER_ERRORS}
_CALL_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    502: {"model": ErrorDoc, "description": "model_error: the model refused, failed after "
          "the retries or could not be reached (no Retry-After)"},
    504: {"model": ErrorDoc, "description": "model_timeout: no answer within "
          "params.timeout_s, retries included (no Retry-After)"},
}


def _doc(model: type, status: int = 200) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": model}, **_ERRORS}


def _allowed(request: Request) -> tuple[str, ...]:
    hosts: tuple[str, ...] = request.app.state.settings.allowed_model_hosts
    return hosts


@router.post("", status_code=201, response_model=None, responses=_doc(ModelDoc, 201),
             summary="Add a model endpoint (any OpenAI-compatible server)")
def create_model(body: ModelCreate, request: Request,
                 who: Requester = Depends(require_member),
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    now = request.app.state.clock.now()
    return db.write(lambda s: auditlog.noted(s, who, "model.create", service.model_object(
        service.create_model(s, who, body, _allowed(request), now))))


@router.get("", response_model=None, responses=_doc(ModelPage),
            summary="The organization's model endpoints, in creation order")
def list_models(limit: int = Query(100), next_token: str | None = Query(None),
                who: Requester = Depends(require_requester),
                db: Database = Depends(get_db)) -> dict[str, Any]:
    limit = check_limit(limit)
    after = decode_token(next_token)
    with db.read() as session:
        models = service.list_models(session, who, after, limit + 1)
        return page([service.model_object(m) for m in models], [m.id for m in models], limit)


@router.get("/{model_id}", response_model=None, responses=_doc(ModelDoc),
            summary="One model endpoint (never its API key)")
def get_model(model_id: str, who: Requester = Depends(require_requester),
              db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        return service.model_object(service.get_model(session, who, model_id))


@router.patch("/{model_id}", response_model=None, responses=_doc(ModelDoc),
              summary="Change a model endpoint (params merged field by field)")
def patch_model(model_id: str, body: ModelPatch, request: Request,
                who: Requester = Depends(require_member),
                db: Database = Depends(get_db)) -> dict[str, Any]:
    now = request.app.state.clock.now()
    return db.write(lambda s: auditlog.noted(s, who, "model.update", service.model_object(
        service.patch_model(s, who, model_id, body, _allowed(request), now))))


@router.delete("/{model_id}", response_model=None, responses=_doc(ModelDeleted),
               summary="Remove a model endpoint (its call records stay)")
def delete_model(model_id: str, who: Requester = Depends(require_member),
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    return db.write(lambda s: auditlog.noted(s, who, "model.delete",
                                             service.delete_model(s, who, model_id)))


@router.post("/{model_id}/test", response_model=None,
             responses={200: {"model": ModelTestDoc}, **_CALL_ERRORS},
             summary="Call the model once (\"hello\" unless messages are given); the "
             "call is recorded like any other")
async def test_model(model_id: str, request: Request,
                     body: ModelTestIn | None = Body(None),
                     stream: bool = Query(False, description="call it streaming"),
                     who: Requester = Depends(require_member),
                     db: Database = Depends(get_db)) -> dict[str, Any]:
    messages = ([m.model_dump() for m in body.messages] if body and body.messages
                else [{"role": "user", "content": "hello"}])
    target = calls.Target(who.org_id, model_id)
    clock = request.app.state.clock
    allowed = _allowed(request)

    def run() -> dict[str, Any]:
        db.write(lambda s: auditlog.record(s, who, "model.test", model_id))
        if stream:
            reply = calls.Stream(db, target, messages, allowed=allowed, now=clock.now)
            for _delta in reply:
                pass
            outcome = reply.outcome
        else:
            outcome = calls.chat(db, target, messages, allowed=allowed, now=clock.now)
        return {"model": model_id, "content": outcome.content,
                "latency_ms": outcome.latency_ms, "prompt_tokens": outcome.prompt_tokens,
                "completion_tokens": outcome.completion_tokens,
                "tokens_estimated": outcome.tokens_estimated, "attempts": outcome.attempts}

    return await anyio.to_thread.run_sync(run, limiter=_CALL_THREADS)


@router.get("/{model_id}/usage", response_model=None, responses=_doc(ModelUsageDoc),
            summary="Calls, tokens, cost and latency (p50/p99 of successful calls)")
def model_usage(model_id: str,
                project: str | None = Query(None, description="only this project's calls"),
                who: Requester = Depends(require_requester),
                db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        return service.usage(session, who, model_id, project)
