"""The requester's pages: the dashboard ``/`` (projects, their progress and pace), a project
page ``/projects/{project_id}`` (progress, charts, per-worker figures, a task table filtered
by status) and a task page ``/projects/{project_id}/tasks/{task_id}`` (data, every answer,
the result). Figures come from ``assay.projects.figures``; charts from ``assay.web.charts``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.auditlog.api import read_noted
from assay.clock import isoformat, utcnow
from assay.db.engine import Database
from assay.db.models import Project
from assay.db.statuses import LIVE_TASK_STATUS_NAMES
from assay.errors import NotFound
from assay.http.auth import get_db
from assay.ledger import service as ledger
from assay.projects import figures
from assay.projects import repository as projects_repo
from assay.projects import service as projects
from assay.quality import service as quality
from assay.review import service as review
from assay.tasks import repository as tasks_repo
from assay.tasks import service as tasks
from assay.tasks.objects import task_object
from assay.web import charts
from assay.web.pages import error_page, markdown, render, short_json, signed_in, to_login

router = APIRouter(include_in_schema=False)

PAGE = 50
WORKERS_SHOWN = 100
STATUSES = LIVE_TASK_STATUS_NAMES


def requester(request: Request) -> Requester | Response:
    """The signed-in requester, or the response for anyone else (sign-in, or /work)."""
    signed = signed_in(request)
    if signed is None:
        return to_login(request)
    if not isinstance(signed.principal, Requester):
        return RedirectResponse("/work", status_code=303)
    return signed.principal


def progress(counts: dict[str, int]) -> dict[str, Any]:
    total = sum(counts.values())
    done = counts.get("completed", 0) + counts.get("canceled", 0) + counts.get("error", 0)
    return {"total": total, "percent": round(100 * done / total) if total else 0}


def _pretty(value: Any) -> str:
    """A JSON value as indented text (shown in a ``<pre>``, escaped by the template)."""
    return json.dumps(value, ensure_ascii=False, indent=2)


def duration_text(hours: float | None) -> str:
    """``hours`` as a short, rounded duration: "done", "under a minute", "3 h 20 min"."""
    if hours is None:
        return "no recent answers"
    minutes = round(hours * 60)
    if hours == 0:
        return "done"
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    if hours < 48:
        h, m = divmod(minutes, 60)
        return f"{h} h {m} min" if m else f"{h} h"
    return f"{hours / 24:.1f} days"


def paces(session: Session, who: Requester, ids: list[str],
           now: datetime) -> dict[str, dict[str, Any]]:
    recent = figures.recent_answers(session, who.org_id, figures.window_start(now), ids)
    left = figures.answers_left(session, who.org_id, ids)
    out = {}
    for pid in ids:
        n, first = recent.get(pid, (0, None))
        p = figures.pace(n, first, left.get(pid, 0), now)
        p["eta_text"] = "too few answers yet" if p["too_few"] else duration_text(p["hours_left"])
        out[pid] = p
    return out


@router.get("/", response_model=None)
def dashboard(request: Request, db: Database = Depends(get_db)) -> Response:
    who = requester(request)
    if isinstance(who, Response):
        return who
    now = utcnow()
    with db.read() as session:
        rows = projects_repo.list_projects(session, who.org_id, None, 500)
        described = projects.describe(session, who, rows)
        ids = [p.id for p in rows]
        pace_of = paces(session, who, ids, now)
        quality_of = quality.project_summaries(session, who, ids)
        to_review = review.count_awaiting_review(session, who, ids)
    for p in described:
        p["progress"] = progress(p["counts"])
        p["pace"] = pace_of[p["id"]]
        p["quality"] = {**quality_of[p["id"]], "to_review": to_review.get(p["id"], 0)}
    return render(request, "dashboard.html", {"projects": described, "statuses": STATUSES})


def project_or_404(request: Request, session: Session, who: Requester,
                    project_id: str) -> Project | Response:
    try:
        return projects.get_project(session, who, project_id)
    except NotFound:
        return error_page(request, 404, "Project not found",
                          "There is no project with this id in your organization.")


def _charts(session: Session, who: Requester, row: Project, now: datetime) -> dict[str, Any]:
    end = figures.hour_end(now)
    completions = figures.hourly_completions(session, who.org_id, row.id, end)
    answers = figures.hourly_answers(session, who.org_id, row.id, end)
    out = {
        "completions": charts.hourly_bars("chart-completions", "Tasks completed per hour",
                                          completions, end, "task"),
        "answers": charts.hourly_bars("chart-answers", "Answers per hour", answers, end,
                                      "answer"),
        "completed": sum(completions),
        "distribution": None,
    }
    counts = figures.answer_counts(session, who.org_id, row.id)
    labels = figures.label_distribution(row.kind, row.params, counts)
    if labels:
        out["distribution"] = charts.distribution_bars(
            "chart-distribution", "Answers per label", labels)
    return out


@router.get("/projects/{project_id}", response_model=None)
def project_page(project_id: str, request: Request, status: str | None = None,
                 after: str | None = None, db: Database = Depends(get_db)) -> Response:
    who = requester(request)
    if isinstance(who, Response):
        return who
    if status not in STATUSES:
        status = None
    now = utcnow()
    with db.read() as session:
        row = project_or_404(request, session, who, project_id)
        if isinstance(row, Response):
            return row
        project = projects.describe(session, who, [row])[0]
        task_rows = tasks_repo.list_tasks(session, who.org_id, project_id=row.id,
                                          batch_id=None, status=status, updated_after=None,
                                          after=after, limit=PAGE + 1)
        pace = paces(session, who, [row.id], now)[row.id]
        drawn = _charts(session, who, row, now)
        workers, _ = quality.worker_report(session, who, row.id, None, WORKERS_SHOWN + 1)
        cost = ledger.project_cost(session, who, row.id)["docs"]
    more = len(task_rows) > PAGE
    shown = read_noted(db, who, "task.list", row.id, [task_object(t) for t in task_rows[:PAGE]])
    for t in shown:
        t["data_text"] = short_json(t["data"])
        result = t["result"] or {}
        t["answer_text"] = short_json(result.get("answer")) if result else ""
        t["updated_text"] = (t["updated_at"] or "")[:16].replace("T", " ")
    return render(request, "project.html", {
        "project": project, "progress": progress(project["counts"]), "tasks": shown,
        "status": status, "statuses": STATUSES, "instructions": markdown(row.instructions),
        "next_after": shown[-1]["id"] if more and shown else None, "pace": pace,
        "charts": drawn, "workers": workers[:WORKERS_SHOWN],
        "more_workers": len(workers) > WORKERS_SHOWN, "now": isoformat(now), "cost": cost,
        "can_change": who.role in ("admin", "member"), "tab": "overview",
    })


@router.get("/projects/{project_id}/tasks/{task_id}", response_model=None)
def task_page(project_id: str, task_id: str, request: Request,
              db: Database = Depends(get_db)) -> Response:
    who = requester(request)
    if isinstance(who, Response):
        return who
    with db.read() as session:
        row = project_or_404(request, session, who, project_id)
        if isinstance(row, Response):
            return row
        try:
            task = tasks.get_task(session, who, task_id)
        except NotFound:
            task = None
        if task is None or task.project_id != row.id:
            return error_page(request, 404, "Task not found",
                              "There is no task with this id in this project.")
        answers = figures.task_answers(session, who.org_id, task.id)
        shown = read_noted(db, who, "task.read", task.id, task_object(task))
    result = shown["result"] or {}
    return render(request, "task.html", {
        "project": {"id": row.id, "name": row.name, "kind": row.kind}, "task": shown,
        "data_text": _pretty(shown["data"]),
        "metadata_text": _pretty(shown["metadata"]) if shown["metadata"] else "",
        "result_text": _pretty(result.get("answer")) if result else "",
        "result": result,
        "answers": [{"worker_id": a.worker_id, "answer_text": short_json(a.answer, 2000),
                     "duration_s": a.duration_ms / 1000, "counts": a.counts,
                     "correct": a.correct, "created_text": (isoformat(a.created_at) or "")
                     [:19].replace("T", " ")} for a in answers],
    })
