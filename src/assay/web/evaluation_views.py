"""The console's evaluation pages: ``/evaluations`` (the list), ``/evaluations/{id}``
(generation progress, cost, what was left out) and ``/evaluations/{id}/leaderboard`` (the
ratings with their intervals drawn on the server, battles, the win-rate matrix, the judge's
agreement with people and its biases, tabs by source and category; with rubric rating, each
criterion's and the overall mean per model with its interval, drawn the same way). They
show what the API answers (``GET /v1/evaluations/{id}`` and its leaderboard) and nothing
else."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from assay.db.engine import Database
from assay.errors import Conflict, NotFound
from assay.evaluations import service
from assay.http.auth import get_db
from assay.web.dashboard_views import requester
from assay.web.pages import error_page, render
from assay.web.rating_charts import rating_intervals

router = APIRouter(include_in_schema=False)

SOURCES = ("all", "human", "judge")
BOOTSTRAP = 1000


def _missing(request: Request) -> Response:
    return error_page(request, 404, "Evaluation not found",
                      "There is no evaluation with this id in your organization.")


@router.get("/evaluations", response_model=None)
def evaluations_page(request: Request, db: Database = Depends(get_db)) -> Response:
    who = requester(request)
    if isinstance(who, Response):
        return who
    with db.read() as session:
        found = [service.evaluation_object(session, e)
                 for e in service.list_evaluations(session, who, None, 200)]
    return render(request, "evaluations.html", {"evaluations": found})


@router.get("/evaluations/{evaluation_id}", response_model=None)
def evaluation_page(evaluation_id: str, request: Request,
                    db: Database = Depends(get_db)) -> Response:
    who = requester(request)
    if isinstance(who, Response):
        return who
    with db.read() as session:
        try:
            evaluation = service.evaluation_object(
                session, service.get_evaluation(session, who, evaluation_id))
        except NotFound:
            return _missing(request)
    replies = evaluation["progress"]["replies"]
    percent = round(100 * replies["done"] / replies["total"]) if replies["total"] else 100
    return render(request, "evaluation.html", {"evaluation": evaluation, "percent": percent,
                                               "tab": "overview"})


@router.get("/evaluations/{evaluation_id}/leaderboard", response_model=None)
def leaderboard_page(evaluation_id: str, request: Request,
                     source: str = Query("all"), category: str | None = Query(None),
                     style: str | None = Query(None),
                     db: Database = Depends(get_db)) -> Response:
    from assay.evaluations.leaderboard import evaluation_leaderboard

    who = requester(request)
    if isinstance(who, Response):
        return who
    source = source if source in SOURCES else "all"
    category = category or None
    style = "length" if style == "length" else None
    board: dict[str, Any] | None = None
    refused = None
    with db.read() as session:
        try:
            evaluation = service.evaluation_object(
                session, service.get_evaluation(session, who, evaluation_id))
            board = evaluation_leaderboard(session, who, evaluation_id, source=source,
                                           category=category, bootstrap=BOOTSTRAP,
                                           style=style)
        except NotFound:
            return _missing(request)
        except Conflict as exc:
            refused = exc.message
            groups = exc.details.get("groups")
            if groups:
                refused += ": " + "; ".join(", ".join(g) for g in groups)
    chart = None
    styled = styled_rows(board) if board is not None else None
    if styled is not None:
        chart = rating_intervals(
            "chart-ratings", "Length-controlled ratings with 95% intervals",
            [(m["model"], m["rating"], *(m["ci"] or (None, None))) for m in styled])
    elif board is not None:
        chart = rating_intervals("chart-ratings", "Ratings with 95% intervals", [
            (m["model"], m["rating"], *(m["ci"] or (None, None)))
            for m in board["models"] if m["rating"] is not None])
    return render(request, "evaluation_leaderboard.html", {
        "evaluation": evaluation, "board": board, "refused": refused, "chart": chart,
        "rubric": rubric_sections((board or {}).get("ratings")), "styled": styled,
        "style": style,
        "source": source, "category": category, "sources": SOURCES, "tab": "leaderboard",
        "categories": (board or {}).get("categories") or sorted({
            c for c in _categories(db, who, evaluation_id)})})


def styled_rows(board: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The length-controlled leaderboard's rows, best first: each fitted model's rating,
    interval, rank and rank interval with reply length held equal, beside its plain rating
    and counts. None when the board has no style control."""
    control = board.get("style_control")
    if not control:
        return None
    plain = {m["model"]: m for m in board["models"]}
    rows = [{"model": name, "rating": rating,
             "ci": (control["ci"] or {}).get(name), "rank": control["rank"][name],
             "rank_ci": control["rank_ci"][name], "plain": plain[name]["rating"],
             "battles": plain[name]["battles"]}
            for name, rating in control["ratings"].items() if rating is not None]
    return sorted(rows, key=lambda r: (r["rank"], -r["rating"], r["model"]))


def rubric_sections(ratings: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One section per criterion of the leaderboard's ``ratings`` (and ``overall``, or the
    single ``rating``): its models best first, with their mean, interval and count, and the
    chart of means and intervals on the rubric's scale. Empty without rubric ratings."""
    if not ratings or not ratings["rated"]:
        return []
    low, high = ratings["scale"]
    sections = []
    for index, key in enumerate(ratings["criteria"]):
        rows = sorted(({"model": m["model"], "replies": m["replies"], **m["scores"][key]}
                       for m in ratings["models"]),
                      key=lambda r: (r["mean"] is None, -(r["mean"] or 0.0)))
        title = {"overall": "Overall", "rating": "Rating"}.get(key, key)
        chart = rating_intervals(
            f"chart-rubric-{index}", f"{title}: mean score with 95% intervals",
            [(r["model"], r["mean"], *(r["ci"] or (None, None)))
             for r in rows if r["mean"] is not None],
            domain=(float(low), float(high)), digits=2)
        sections.append({"key": key, "title": title, "index": index, "rows": rows,
                         "chart": chart})
    return sections


def _categories(db: Database, who: Any, evaluation_id: str) -> list[str]:
    with db.read() as session:
        found = service.get_evaluation(session, who, evaluation_id)
        return [p["category"] for p in found.prompts if p["category"] is not None]
