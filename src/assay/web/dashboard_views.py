"""The requester's pages: the dashboard ``/`` (projects and their progress) and a project
page ``/projects/{project_id}`` with a task table filtered by status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from assay.accounts.service import Requester
from assay.db.engine import Database
from assay.errors import NotFound
from assay.http.auth import get_db
from assay.projects import repository as projects_repo
from assay.projects import service as projects
from assay.tasks import repository as tasks_repo
from assay.tasks.objects import task_object
from assay.web.pages import error_page, markdown, render, short_json, signed_in, to_login

router = APIRouter(include_in_schema=False)

PAGE = 50
STATUSES = projects_repo.TASK_STATUSES


def _requester(request: Request) -> Requester | Response:
    signed = signed_in(request)
    if signed is None:
        return to_login(request)
    if not isinstance(signed.principal, Requester):
        return RedirectResponse("/work", status_code=303)
    return signed.principal


def _progress(counts: dict[str, int]) -> dict[str, Any]:
    total = sum(counts.values())
    done = counts.get("completed", 0) + counts.get("canceled", 0) + counts.get("error", 0)
    return {"total": total, "percent": round(100 * done / total) if total else 0}


@router.get("/", response_model=None)
def dashboard(request: Request, db: Database = Depends(get_db)) -> Response:
    who = _requester(request)
    if isinstance(who, Response):
        return who
    with db.read() as session:
        rows = projects_repo.list_projects(session, who.org_id, None, 500)
        described = projects.describe(session, who, rows)
    for p in described:
        p["progress"] = _progress(p["counts"])
    return render(request, "dashboard.html", {"projects": described, "statuses": STATUSES})


@router.get("/projects/{project_id}", response_model=None)
def project_page(project_id: str, request: Request, status: str | None = None,
                 after: str | None = None, db: Database = Depends(get_db)) -> Response:
    who = _requester(request)
    if isinstance(who, Response):
        return who
    if status not in STATUSES:
        status = None
    with db.read() as session:
        try:
            row = projects.get_project(session, who, project_id)
        except NotFound:
            return error_page(request, 404, "Project not found",
                              "There is no project with this id in your organization.")
        project = projects.describe(session, who, [row])[0]
        tasks = tasks_repo.list_tasks(session, who.org_id, project_id=row.id, batch_id=None,
                                      status=status, updated_after=None, after=after,
                                      limit=PAGE + 1)
    more = len(tasks) > PAGE
    shown = [task_object(t) for t in tasks[:PAGE]]
    for t in shown:
        t["data_text"] = short_json(t["data"])
        result = t["result"] or {}
        t["answer_text"] = short_json(result.get("answer")) if result else ""
        t["updated_text"] = (t["updated_at"] or "")[:16].replace("T", " ")
    return render(request, "project.html", {
        "project": project, "progress": _progress(project["counts"]), "tasks": shown,
        "status": status, "statuses": STATUSES, "instructions": markdown(row.instructions),
        "next_after": shown[-1]["id"] if more and shown else None,
    })
