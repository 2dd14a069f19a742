"""HTTP routes of the worker side: next, submit, skip, me."""

from __future__ import annotations

import random
from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse

from assay.accounts.service import WorkerPrincipal
from assay.clock import Clock
from assay.db.engine import Database
from assay.http.auth import get_db, require_worker
from assay.http.documents import WorkerStanding, doc
from assay.work import service
from assay.work.schemas import NextIn, Offer, SkipIn, SubmitIn, SubmitOut

router = APIRouter(prefix="/v1/work", tags=["work"])


def _loop_context(request: Request) -> tuple[Database, Clock, random.Random]:
    """The app's database, clock and random source, read off the request: the loop's
    routes take ``Request`` (which the framework passes for free) instead of three more
    dependencies, each of which costs per-request bookkeeping on the hottest path."""
    state = request.app.state
    return state.db, state.clock, state.rng


@router.post("/next", response_model=None,
             responses={**doc(Offer), 204: {"description": "nothing for this worker now"}})
def next_task(request: Request, body: NextIn | None = Body(default=None),
              who: WorkerPrincipal = Depends(require_worker)) -> Any:
    db, clock, rng = _loop_context(request)
    project = body.project if body else None
    holding = body.holding if body else None
    offered = db.write(lambda s: service.lease_next(s, who, project, clock.now(), rng,
                                                    holding))
    if offered is None:
        return Response(status_code=204)
    # Already plain JSON types: skip the framework's generic encoder on the hot path.
    return JSONResponse(offered)


@router.post("/{assignment_id}/submit", response_model=None, responses=doc(SubmitOut))
def submit(request: Request, assignment_id: str, body: SubmitIn,
           who: WorkerPrincipal = Depends(require_worker)) -> Any:
    db, clock, rng = _loop_context(request)
    return JSONResponse(db.write(
        lambda s: service.submit_answer(s, who, assignment_id, body.answer, clock.now(), rng,
                                        and_next=body.next, holding=body.holding)))


@router.post("/{assignment_id}/skip", response_model=None, responses=doc(SubmitOut))
def skip(request: Request, assignment_id: str, body: SkipIn | None = Body(default=None),
         who: WorkerPrincipal = Depends(require_worker)) -> dict[str, Any]:
    db, clock, rng = _loop_context(request)
    reason = body.reason if body else None
    comment = body.comment if body else None
    and_next = body.next if body else False
    holding = body.holding if body else None
    return db.write(lambda s: service.skip_assignment(s, who, assignment_id, reason, comment,
                                                      clock.now(), rng, and_next, holding))


@router.get("/me", response_model=None, responses=doc(WorkerStanding))
def me(project: str | None = None, who: WorkerPrincipal = Depends(require_worker),
       db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        return service.worker_standing(session, who, project)
