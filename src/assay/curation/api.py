"""HTTP routes of curation: duplicates (a job), predictions, suspects back to review,
semantic search. Thin: the rules live in the curation services."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.clock import Clock
from assay.curation import duplicates, predictions
from assay.curation.schemas import OrderIn, PredictionsIn, SuspectsReviewIn
from assay.db.engine import Database
from assay.http.auth import get_clock, get_db, require_member, require_requester
from assay.http.documents import Doc, TaskDoc, doc
from assay.http.pagination import check_limit, decode_token, encode_token, page

router = APIRouter(tags=["curation"])


class RunDoc(Doc):
    run: str
    status: Literal["running", "done", "failed"]
    progress: float = Field(description="share of the project's tasks read so far (0 to 1)")
    done: int
    total: int
    failure: str | None = Field(description="why the run failed (status failed)")
    threshold: float | None = None
    method: str | None = None
    model: str | None = None


class PairDoc(Doc):
    a: str = Field(description="the older task of the pair")
    b: str
    similarity: float = Field(description="exact Jaccard similarity of the word 5-gram "
                                          "shingle sets (cosine similarity for a run by "
                                          "embedding)")


class PairPage(RunDoc):
    docs: list[PairDoc]
    next_token: str | None


class CanceledDoc(Doc):
    run: str
    canceled: list[str]
    not_canceled: list[dict[str, str]]


@router.get("/v1/projects/{project_id}/duplicates", response_model=None,
            responses={**doc(PairPage), 202: {"model": RunDoc,
                                              "description": "the run is in progress"}},
            summary="Near-duplicate tasks of a project",
            description="The pairs of the project's pending and completed tasks whose text "
            "(the data's `curation.text_field`, default `text`, else every string) has exact "
            "Jaccard similarity of word 5-gram shingle sets at least `threshold`, as "
            "`assay dedup` computes it; `method=embedding` pairs by cosine similarity of "
            "the tasks' embeddings instead. The first call (or one with other parameters, or "
            "`refresh=true`) starts a job and answers `202` with its progress; once it is "
            "done the pairs come in pages, oldest pair first.")
def get_duplicates(project_id: str, threshold: float = Query(duplicates.DEFAULT_THRESHOLD),
                   method: Literal["minhash", "embedding"] = Query("minhash"),
                   refresh: bool = Query(False), limit: int = Query(100),
                   next_token: str | None = Query(None),
                   who: Requester = Depends(require_requester),
                   db: Database = Depends(get_db),
                   clock: Clock = Depends(get_clock)) -> Any:
    duplicates.check_threshold(threshold)
    limit = check_limit(limit)
    after = decode_token(next_token)

    def run(session: Any) -> Any:
        found = duplicates.find_or_start(session, who, project_id, threshold=threshold,
                                         method=method, refresh=refresh, now=clock.now())
        state = duplicates.run_object(found)
        if found.status == "running":
            return JSONResponse(state, status_code=202)
        docs, ids = duplicates.list_pairs(session, who, found.id, after, limit)
        return {**state, **page(docs, ids, limit)}

    return db.write(run)


@router.post("/v1/projects/{project_id}/duplicates/cancel", response_model=None,
             responses=doc(CanceledDoc), summary="Cancel the duplicates",
             description="Cancel the newer task of every pair the newest finished "
             "duplicates run found, keeping the oldest of each group. Tasks with answers or "
             "no longer pending are left as they are and listed in `not_canceled`. `409 "
             "no_duplicates` before any run has finished.")
def cancel_duplicates(project_id: str, who: Requester = Depends(require_member),
                      db: Database = Depends(get_db),
                      clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    return db.write(lambda s: duplicates.cancel_duplicates(s, who, project_id, clock.now()))


class StoredDoc(Doc):
    project: str
    stored: int


class SuspectDoc(Doc):
    task: str
    label: str = Field(description="the result's label now")
    suggested: str = Field(description="the label the miner believes")
    score: float = Field(description="probability (by the model or the crowd's fit) that "
                                     "the result is wrong")
    source: Literal["worker_models", "predictions"]
    reason: Literal["low_posterior", "confident_worker_disagrees", "confident_learning"]
    sources: list[str]


class FiguresDoc(Doc):
    sent: int
    reviewed: int
    errors: int = Field(description="reviewed suspects whose label the reviewer changed")
    precision: float | None = Field(description="errors / reviewed")


class PrecisionDoc(FiguresDoc):
    by_source: dict[str, FiguresDoc]


class SuspectPage(Doc):
    docs: list[SuspectDoc]
    next_token: str | None
    precision: PrecisionDoc


class SentDoc(Doc):
    project: str
    sent: list[str]


@router.post("/v1/projects/{project_id}/predictions", response_model=None,
             responses=doc(StoredDoc), summary="Upload model predictions",
             description="Class probabilities per task of a single-label categorical "
             "project (up to 10,000 a call; a task's new prediction replaces its old one). "
             "All or nothing: a bad row is a 422 naming its field "
             "(`predictions[3].probabilities.maybe`). Stored encrypted.")
def upload_predictions(project_id: str, body: PredictionsIn,
                       who: Requester = Depends(require_member),
                       db: Database = Depends(get_db),
                       clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    return db.write(lambda s: predictions.upload_predictions(s, who, project_id, body,
                                                             clock.now()))


@router.get("/v1/projects/{project_id}/suspects", response_model=None,
            responses=doc(SuspectPage), summary="Completed tasks whose result is probably "
            "wrong",
            description="From the worker models (a low posterior, a confident worker who "
            "disagrees) and from uploaded predictions (confident learning), by task id, "
            "with a reason and a score; tasks waiting for review or sent before are left "
            "out. `precision` tells how many suspects sent to review were real errors.")
def list_suspects(project_id: str,
                  source: Literal["worker_models", "predictions", "all"] = Query("all"),
                  min_score: float = Query(0.0, ge=0.0, le=1.0),
                  limit: int = Query(100), next_token: str | None = Query(None),
                  who: Requester = Depends(require_requester),
                  db: Database = Depends(get_db)) -> dict[str, Any]:
    from assay.curation import suspects  # numpy: on first use

    limit = check_limit(limit)
    after = decode_token(next_token)
    with db.read() as session:
        found = suspects.find_suspects(session, who, project_id, source=source,
                                       min_score=min_score)
        figures = suspects.precision(session, who, project_id)
    rest = [s for s in found if after is None or s["task"] > after]
    more = len(rest) > limit
    return {"docs": rest[:limit],
            "next_token": encode_token(rest[limit - 1]["task"]) if more else None,
            "precision": figures}


@router.post("/v1/projects/{project_id}/suspects/review", response_model=None,
             responses=doc(SentDoc), summary="Send suspects to the review queue",
             description="The suspects named in `task_ids`, or every current one (of "
             "`source`, from `min_score`), go to the project's review queue in one call.")
def review_suspects(project_id: str, body: SuspectsReviewIn,
                    who: Requester = Depends(require_member),
                    db: Database = Depends(get_db),
                    clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    from assay.curation import suspects  # numpy: on first use

    return db.write(lambda s: suspects.send_to_review(s, who, project_id, body, clock.now()))


class SearchHitDoc(TaskDoc):
    score: float = Field(description="cosine similarity of the task's text to the query")


class SearchPage(Doc):
    docs: list[SearchHitDoc]
    next_token: str | None = Field(description="always null: ask a larger `limit`")


@router.get("/v1/tasks/search", response_model=None,
            responses={**doc(SearchPage), 202: {"model": RunDoc, "description":
                                                "the project's tasks are being embedded"}},
            summary="Semantic search over a project's tasks",
            description="The `limit` tasks of `project` whose text is nearest the query `q` "
            "by the project's `curation.embedding_model`, nearest first, each with its "
            "`score` (cosine similarity). Tasks not embedded yet are embedded by a job "
            "first: `202` with its progress until it is done.")
def search_tasks(project: str = Query(...), q: str = Query(...), limit: int = Query(10),
                 who: Requester = Depends(require_requester),
                 db: Database = Depends(get_db), clock: Clock = Depends(get_clock)) -> Any:
    from assay.curation import embeddings  # numpy: on first use

    limit = check_limit(limit)

    def run(session: Any) -> Any:
        found = embeddings.search(session, who, project, q, limit, clock.now())
        if isinstance(found, list):
            auditlog.record(session, who, "task.list", project, at=clock.now())
            return {"docs": found, "next_token": None}
        return JSONResponse(duplicates.run_object(found), status_code=202)

    return db.write(run)


class OrderDoc(Doc):
    project: str
    order: Literal["priority", "uncertainty", "diversity"]
    ranked: int = Field(description="pending tasks given a rank (priority n down to 1)")
    pending: int = Field(description="pending tasks; the unranked get priority 0")


@router.post("/v1/projects/{project_id}/order", response_model=None,
             responses={**doc(OrderDoc), 202: {"model": RunDoc, "description":
                                               "the project's tasks are being embedded"}},
             summary="Order pending tasks by uncertainty or diversity",
             description="Writes the pending tasks' priorities so that workers get first "
             "the tasks whose uploaded prediction is least sure (`uncertainty`: smallest "
             "margin) or that cover the data best (`diversity`: farthest-point order of "
             "their embeddings, `202` while they are computed); the others get priority "
             "0. A snapshot: call again after new tasks or predictions. Records "
             "`curation.order`.")
def order_tasks(project_id: str, body: OrderIn, who: Requester = Depends(require_member),
                db: Database = Depends(get_db), clock: Clock = Depends(get_clock)) -> Any:
    from assay.curation import ordering  # numpy: on first use

    def run(session: Any) -> Any:
        found = ordering.order_pending(session, who, project_id, body.by, clock.now())
        if isinstance(found, dict):
            return found
        return JSONResponse(duplicates.run_object(found), status_code=202)

    return db.write(run)
