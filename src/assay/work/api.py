"""HTTP routes of the worker side: next, submit, skip, me."""

from __future__ import annotations

import random
from typing import Any

from fastapi import APIRouter, Body, Depends, Response
from fastapi.responses import JSONResponse

from assay.accounts.service import WorkerPrincipal
from assay.clock import Clock
from assay.db.engine import Database
from assay.http.auth import get_clock, get_db, get_rng, require_worker
from assay.http.documents import WorkerStanding, doc
from assay.work import service
from assay.work.schemas import NextIn, Offer, SkipIn, SubmitIn, SubmitOut

router = APIRouter(prefix="/v1/work", tags=["work"])


@router.post("/next", response_model=None,
             responses={**doc(Offer), 204: {"description": "nothing for this worker now"}})
def next_task(body: NextIn | None = Body(default=None),
              who: WorkerPrincipal = Depends(require_worker),
              db: Database = Depends(get_db), clock: Clock = Depends(get_clock),
              rng: random.Random = Depends(get_rng)) -> Any:
    project = body.project if body else None
    offered = db.write(lambda s: service.lease_next(s, who, project, clock.now(), rng))
    if offered is None:
        return Response(status_code=204)
    # Already plain JSON types: skip the framework's generic encoder on the hot path.
    return JSONResponse(offered)


@router.post("/{assignment_id}/submit", response_model=None, responses=doc(SubmitOut))
def submit(assignment_id: str, body: SubmitIn, who: WorkerPrincipal = Depends(require_worker),
           db: Database = Depends(get_db), clock: Clock = Depends(get_clock),
           rng: random.Random = Depends(get_rng)) -> Any:
    return JSONResponse(db.write(
        lambda s: service.submit_answer(s, who, assignment_id, body.answer, clock.now(), rng,
                                        and_next=body.next)))


@router.post("/{assignment_id}/skip", response_model=None, responses=doc(SubmitOut))
def skip(assignment_id: str, body: SkipIn | None = Body(default=None),
         who: WorkerPrincipal = Depends(require_worker),
         db: Database = Depends(get_db), clock: Clock = Depends(get_clock),
         rng: random.Random = Depends(get_rng)) -> dict[str, Any]:
    reason = body.reason if body else None
    comment = body.comment if body else None
    and_next = body.next if body else False
    return db.write(lambda s: service.skip_assignment(s, who, assignment_id, reason, comment,
                                                      clock.now(), rng, and_next))


@router.get("/me", response_model=None, responses=doc(WorkerStanding))
def me(project: str | None = None, who: WorkerPrincipal = Depends(require_worker),
       db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        return service.worker_standing(session, who, project)
