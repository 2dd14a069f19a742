"""HTTP routes for evaluations (API.md part two, "Evaluations and leaderboards")."""

from __future__ import annotations

import csv
import io
import json
import random
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.db.engine import Database
from assay.evaluations import service
from assay.evaluations.schemas import (
    EvaluationCreate,
    EvaluationDoc,
    EvaluationPage,
    LeaderboardDoc,
)
from assay.exports.cells import spreadsheet_safe
from assay.http.auth import get_db, require_member, require_requester
from assay.http.documents import doc as _doc
from assay.http.pagination import check_limit, decode_token, page

router = APIRouter(prefix="/v1/evaluations", tags=["evaluations"])


@router.post("", status_code=201, response_model=None, responses=_doc(EvaluationDoc, 201),
             summary="Start an evaluation: replies are generated (or uploaded), then judged "
             "in blind battles by people and/or a judge model")
def create_evaluation(body: EvaluationCreate, request: Request,
                      who: Requester = Depends(require_member),
                      db: Database = Depends(get_db)) -> dict[str, Any]:
    now = request.app.state.clock.now()
    rng: random.Random = request.app.state.rng
    return db.write(lambda s: auditlog.noted(
        s, who, "evaluation.create", service.evaluation_object(
            s, service.create_evaluation(s, who, body, (), now, rng))))


@router.get("", response_model=None, responses=_doc(EvaluationPage),
            summary="The organization's evaluations, in creation order")
def list_evaluations(limit: int = Query(100), next_token: str | None = Query(None),
                     who: Requester = Depends(require_requester),
                     db: Database = Depends(get_db)) -> dict[str, Any]:
    limit = check_limit(limit)
    after = decode_token(next_token)
    with db.read() as session:
        found = service.list_evaluations(session, who, after, limit + 1)
        return page([service.evaluation_object(session, e) for e in found],
                    [e.id for e in found], limit)


@router.get("/{evaluation_id}", response_model=None, responses=_doc(EvaluationDoc),
            summary="One evaluation: status, progress, cost, what was left out")
def get_evaluation(evaluation_id: str, who: Requester = Depends(require_requester),
                   db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        return service.evaluation_object(session, service.get_evaluation(session, who,
                                                                         evaluation_id))


@router.post("/{evaluation_id}/retry", response_model=None, responses=_doc(EvaluationDoc),
             summary="Run a failed evaluation's failed step again (the replies that failed "
             "or are missing, or the battles still waiting for the judge); 409 "
             "evaluation_not_failed unless its status is failed")
def retry_evaluation(evaluation_id: str, request: Request,
                     who: Requester = Depends(require_member),
                     db: Database = Depends(get_db)) -> dict[str, Any]:
    now = request.app.state.clock.now()
    return db.write(lambda s: auditlog.noted(
        s, who, "evaluation.retry", service.evaluation_object(
            s, service.retry_evaluation(s, who, evaluation_id, now))))


@router.get("/{evaluation_id}/leaderboard", response_model=None,
            responses=_doc(LeaderboardDoc),
            summary="Bradley-Terry ratings with bootstrap intervals, ranks, win rates, the "
            "judge's agreement with people and its biases (409 while no judgment is in or "
            "the comparison graph is disconnected)")
def get_leaderboard(evaluation_id: str,
                    source: Literal["human", "judge", "all"] = Query("all"),
                    category: str | None = Query(None, max_length=100),
                    bootstrap: int = Query(1000, ge=0, le=10_000,
                                           description="bootstrap rounds (0: no intervals)"),
                    seed: int = Query(0, ge=0, le=2**32 - 1),
                    style: Literal["length"] | None = Query(
                        None, description="length: also ratings with reply length held "
                        "equal (style control), with bootstrap intervals"),
                    who: Requester = Depends(require_requester),
                    db: Database = Depends(get_db)) -> dict[str, Any]:
    from assay.evaluations.leaderboard import evaluation_leaderboard

    with db.read() as session:
        return evaluation_leaderboard(session, who, evaluation_id, source=source,
                                      category=category, bootstrap=bootstrap, seed=seed,
                                      style=style)


@router.get("/{evaluation_id}/battles", response_model=None,
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}},
                             "description": "one row per judgment: battle, prompt_id, "
                             "category, model_a, model_b, source (human or judge), winner"},
                       **_doc(EvaluationDoc)},
            summary="Every judgment the leaderboard counts, as CSV (what `assay leaderboard` "
            "reads: its ratings are the leaderboard's) or JSON lines")
def export_battles(evaluation_id: str, format: Literal["csv", "jsonl"] = Query("csv"),
                   source: Literal["human", "judge", "all"] = Query("all"),
                   category: str | None = Query(None, max_length=100),
                   who: Requester = Depends(require_member),
                   db: Database = Depends(get_db)) -> Response:
    from assay.evaluations.leaderboard import BATTLE_COLUMNS, battle_rows

    with db.read() as session:
        rows = battle_rows(session, who, evaluation_id, source=source, category=category)
    if format == "jsonl":
        return Response("".join(json.dumps(r) + "\n" for r in rows),
                        media_type="application/x-ndjson")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BATTLE_COLUMNS)
    writer.writerows([spreadsheet_safe(r[c]) for c in BATTLE_COLUMNS] for r in rows)
    return Response(out.getvalue(), media_type="text/csv")
