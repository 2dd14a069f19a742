"""``POST /v1/work/{assignment_id}/generate``: a turn's candidate replies, as JSON or as
server-sent events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse

from assay.accounts.service import WorkerPrincipal
from assay.conversations import generate
from assay.conversations.schemas import GenerateIn, ReviewCandidatesDoc, TurnDoc
from assay.conversations.service import review_candidates
from assay.db.engine import Database
from assay.errors import AssayError, ModelError, ModelTimeout
from assay.http.auth import get_db, require_worker
from assay.http.documents import SERVER_ERRORS, ErrorDoc, doc

router = APIRouter(prefix="/v1/work", tags=["work"])

# Generation waits on models for up to their deadline: threads of its own.
_THREADS = anyio.CapacityLimiter(64)


def _sse(event: str, data: dict[str, Any]) -> str:
    body = json.dumps(data, ensure_ascii=False)
    return f"data: {body}\n\n" if event == "delta" else f"event: {event}\ndata: {body}\n\n"


@router.post(
    "/{assignment_id}/generate", response_model=None,
    responses={200: {"model": TurnDoc, "content": {"text/event-stream": {}}},
               "4XX": {"model": ErrorDoc}, **SERVER_ERRORS,
               502: {"model": ErrorDoc, "description": "model_error: a model failed"},
               504: {"model": ErrorDoc, "description": "model_timeout: a model was too slow"}},
    summary="The candidate replies of the assignment's next turn (generated once per turn)")
async def generate_turn(request: Request, assignment_id: str,
                        body: GenerateIn | None = Body(default=None),
                        who: WorkerPrincipal = Depends(require_worker)) -> Any:
    state = request.app.state
    db, clock, rng = state.db, state.clock, state.rng
    allowed: tuple[str, ...] = state.settings.allowed_model_hosts
    given = body.model_dump(exclude_none=True) if body else {}
    first = await anyio.to_thread.run_sync(
        lambda: generate.plan(db, who, assignment_id, given, clock.now, rng), limiter=_THREADS)
    events = generate.events(db, who, assignment_id, given, first, allowed=allowed,
                             now=clock.now, rng=rng)
    if "text/event-stream" in request.headers.get("accept", ""):
        def stream() -> Iterator[str]:
            for event, data in events:
                yield _sse(event, data)
        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    def collect() -> dict[str, Any]:
        for event, data in events:
            if event == "done":
                return data
            if event == "error":
                raise _failure(data)
        raise AssertionError("generate ended without a result")

    return JSONResponse(await anyio.to_thread.run_sync(collect, limiter=_THREADS))


def _failure(data: dict[str, Any]) -> AssayError:
    error = data["error"]
    kind = ModelTimeout if error["code"] == "model_timeout" else ModelError
    return kind(error["message"])


@router.get("/review/{task_id}/candidates", response_model=None,
            responses=doc(ReviewCandidatesDoc),
            summary="The candidate replies of a conversation task the reviewer holds")
def candidates_for_review(task_id: str, who: WorkerPrincipal = Depends(require_worker),
                          db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        return review_candidates(session, who, task_id)
