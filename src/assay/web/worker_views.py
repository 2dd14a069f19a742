"""The worker's pages: ``/work`` (the projects they may work on) and ``/work/{project_id}``
(the labeling page: a server-rendered shell, driven by ``static/label.js`` through the
JSON API of ``/v1/work``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from assay.accounts.service import WorkerPrincipal
from assay.db.engine import Database
from assay.http.auth import get_db
from assay.web.pages import error_page, markdown, render, signed_in, to_login
from assay.web.worker_projects import get_worker_project, list_worker_projects
from assay.work import service as work

router = APIRouter(include_in_schema=False)


def _worker(request: Request) -> WorkerPrincipal | Response:
    signed = signed_in(request)
    if signed is None:
        return to_login(request)
    if not isinstance(signed.principal, WorkerPrincipal):
        return RedirectResponse("/", status_code=303)
    return signed.principal


@router.get("/work", response_model=None)
def work_home(request: Request, db: Database = Depends(get_db)) -> Response:
    who = _worker(request)
    if isinstance(who, Response):
        return who
    with db.read() as session:
        projects = list_worker_projects(session, who)
        standing = work.worker_standing(session, who, None)
    return render(request, "work_list.html", {"projects": projects, "standing": standing})


@router.get("/work/{project_id}", response_model=None)
def work_project(project_id: str, request: Request, db: Database = Depends(get_db)) -> Response:
    who = _worker(request)
    if isinstance(who, Response):
        return who
    with db.read() as session:
        project = get_worker_project(session, who, project_id)
    if project is None:
        return error_page(request, 404, "Project not found",
                          "There is no project with this id that you may work on.")
    return render(request, "label.html", {
        "project": project, "worker_id": who.worker_id,
        "instructions": markdown(project.instructions),
    })
