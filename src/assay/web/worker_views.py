"""The worker's pages: ``/work`` (the projects they may work on), ``/work/{project_id}``
(the labeling page: a server-rendered shell, driven by ``static/label.js`` through the
JSON API of ``/v1/work``), ``/work/{project_id}/standing`` (why they stand where they do,
with the appeal form) and ``/review/{project_id}`` (the review queue, driven by
``static/review.js`` through ``/v1/review``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from assay.accounts.service import WorkerPrincipal
from assay.db.engine import Database
from assay.errors import AssayError
from assay.http.auth import get_db
from assay.quality import appeals
from assay.quality.standing import worker_standing_detail
from assay.web.pages import error_page, markdown, refuse_foreign_form, render, signed_in, to_login
from assay.web.worker_projects import (
    get_worker_project,
    list_worker_projects,
    review_level,
    reviewed_projects,
)
from assay.work import service as work

router = APIRouter(include_in_schema=False)


def _worker(request: Request) -> WorkerPrincipal | Response:
    signed = signed_in(request)
    if signed is None:
        return to_login(request)
    if not isinstance(signed.principal, WorkerPrincipal):
        return RedirectResponse("/", status_code=303)
    return signed.principal


def _not_found(request: Request) -> Response:
    return error_page(request, 404, "Project not found",
                      "There is no project with this id that you may work on.")


@router.get("/work", response_model=None)
def work_home(request: Request, db: Database = Depends(get_db)) -> Response:
    who = _worker(request)
    if isinstance(who, Response):
        return who
    with db.read() as session:
        projects = list_worker_projects(session, who)
        standing = work.worker_standing(session, who, None)
        reviewing = reviewed_projects(session, who)
    return render(request, "work_list.html", {"projects": projects, "standing": standing,
                                              "reviewing": reviewing})


@router.get("/work/{project_id}", response_model=None)
def work_project(project_id: str, request: Request, db: Database = Depends(get_db)) -> Response:
    who = _worker(request)
    if isinstance(who, Response):
        return who
    with db.read() as session:
        project = get_worker_project(session, who, project_id)
        others = [p for p in list_worker_projects(session, who) if p.id != project_id]
    if project is None:
        return _not_found(request)
    return render(request, "label.html", {
        "project": project, "worker_id": who.worker_id,
        "instructions": markdown(project.instructions),
        "min_seconds": (project.limits or {}).get("min_seconds_per_task"),
        "undo_seconds": work.undo_seconds(project.limits),
        "others": others[:20],
    })


@router.get("/work/{project_id}/standing", response_model=None)
def standing_page(project_id: str, request: Request, db: Database = Depends(get_db)) -> Response:
    who = _worker(request)
    if isinstance(who, Response):
        return who
    with db.read() as session:
        project = get_worker_project(session, who, project_id)
        if project is None:
            return _not_found(request)
        detail = worker_standing_detail(session, who, project_id)
    return render(request, "standing.html", {
        "project": project, "s": detail, "appealed": request.query_params.get("appealed"),
    })


@router.post("/work/{project_id}/appeal", response_model=None)
def appeal(project_id: str, request: Request, csrf_token: str = Form(""),
           message: str = Form(""), db: Database = Depends(get_db)) -> Response:
    who = _worker(request)
    if isinstance(who, Response):
        return who
    refused = refuse_foreign_form(request, csrf_token)
    if refused is not None:
        return refused
    text = message.strip()
    if not text or len(text) > 10_000:
        return error_page(request, 422, "Say why",
                          "An appeal needs a message of 1 to 10,000 characters.")
    try:
        db.write(lambda s: appeals.file_appeal(s, who, project_id, text))
    except AssayError as exc:
        return error_page(request, exc.status, "Appeal not filed", exc.message)
    return RedirectResponse(f"/work/{project_id}/standing?appealed=1", status_code=303)


@router.get("/review/{project_id}", response_model=None)
def review_page(project_id: str, request: Request, db: Database = Depends(get_db)) -> Response:
    who = _worker(request)
    if isinstance(who, Response):
        return who
    with db.read() as session:
        project = get_worker_project(session, who, project_id)
        level = review_level(session, who, project_id) if project else None
    if project is None or level is None:
        return error_page(request, 404, "No review queue",
                          "You do not review this project.")
    wanted = 2 if request.query_params.get("level") == "2" and level >= 2 else 1
    return render(request, "review.html", {
        "project": project, "level": wanted, "max_level": level, "worker_id": who.worker_id,
        "instructions": markdown(project.instructions),
    })
