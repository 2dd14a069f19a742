"""HTTP routes of the review queue: promote reviewers; reviewers take and decide tasks;
workers read the verdicts on their answers."""

from __future__ import annotations

import random
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from assay.accounts.service import Requester, WorkerPrincipal
from assay.auditlog import service as auditlog
from assay.db.engine import Database
from assay.http.auth import get_db, get_rng, require_member, require_worker
from assay.http.documents import (
    FeedbackPage,
    ReviewerDoc,
    ReviewItemDoc,
    ReviewResultDoc,
    doc,
)
from assay.review import service
from assay.review.schemas import ReviewerIn, ReviewIn, ReviewNextIn

router = APIRouter(tags=["review"])


@router.post("/v1/projects/{project_id}/reviewers", status_code=201, response_model=None,
             responses=doc(ReviewerDoc, 201))
def add_reviewer(project_id: str, body: ReviewerIn, who: Requester = Depends(require_member),
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    return db.write(lambda s: auditlog.noted(s, who, "reviewer.add", service.add_reviewer(
        s, who, project_id, body.worker_id, body.level), project_id))


@router.post("/v1/review/next", response_model=None,
             responses={**doc(ReviewItemDoc), 204: {"description": "nothing to review now"}})
def next_review(body: ReviewNextIn, who: WorkerPrincipal = Depends(require_worker),
                db: Database = Depends(get_db)) -> Any:
    item = db.write(lambda s: service.next_review(s, who, body.project, body.level,
                                                  body.skip))
    return item if item is not None else Response(status_code=204)


@router.post("/v1/review/{task_id}", response_model=None, responses=doc(ReviewResultDoc))
def submit_review(task_id: str, body: ReviewIn, request: Request,
                  who: WorkerPrincipal = Depends(require_worker),
                  db: Database = Depends(get_db),
                  rng: random.Random = Depends(get_rng)) -> dict[str, Any]:
    resolve = request.app.state.resolve_answers
    return db.write(lambda s: service.submit_review(
        s, who, task_id, body.verdict, body.answer, body.comment, body.rejected_answers,
        body.level, rng=rng, resolve=resolve))


@router.get("/v1/work/feedback", response_model=None, responses=doc(FeedbackPage))
def feedback(who: WorkerPrincipal = Depends(require_worker),
             db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        return {"docs": service.worker_feedback(session, who), "next_token": None}
