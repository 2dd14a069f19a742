"""HTTP routes for projects: thin, the rules live in the service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.db.engine import Database
from assay.http.auth import get_db, require_member, require_requester
from assay.http.documents import ProjectDoc, ProjectPage, doc
from assay.http.pagination import check_limit, decode_token, page
from assay.projects import repository, service
from assay.projects.schemas import ProjectCreate, ProjectPatch

router = APIRouter(prefix="/v1/projects", tags=["projects"])


def _allowed(request: Request) -> tuple[str, ...]:
    hosts: tuple[str, ...] = request.app.state.settings.allowed_callback_hosts
    return hosts


@router.post("", status_code=201, response_model=None, responses=doc(ProjectDoc, 201))
def create_project(body: ProjectCreate, request: Request,
                   who: Requester = Depends(require_member),
                   db: Database = Depends(get_db)) -> dict[str, Any]:
    def run(session: Any) -> dict[str, Any]:
        project = service.create_project(session, who, body, _allowed(request))
        auditlog.record(session, who, "project.create", project.id)
        return service.describe(session, who, [project])[0]

    return db.write(run)


@router.get("", response_model=None, responses=doc(ProjectPage))
def list_projects(limit: int = Query(100), next_token: str | None = Query(None),
                  who: Requester = Depends(require_requester),
                  db: Database = Depends(get_db)) -> dict[str, Any]:
    limit = check_limit(limit)
    after = decode_token(next_token)
    with db.read() as session:
        projects = repository.list_projects(session, who.org_id, after, limit + 1)
        docs = service.describe(session, who, projects)
    return page(docs, [p.id for p in projects], limit)


@router.get("/{project_id}", response_model=None, responses=doc(ProjectDoc))
def get_project(project_id: str, who: Requester = Depends(require_requester),
                db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        project = service.get_project(session, who, project_id)
        return service.describe(session, who, [project])[0]


@router.patch("/{project_id}", response_model=None, responses=doc(ProjectDoc))
def patch_project(project_id: str, body: ProjectPatch, request: Request,
                  who: Requester = Depends(require_member),
                  db: Database = Depends(get_db)) -> dict[str, Any]:
    def run(session: Any) -> dict[str, Any]:
        project = service.update_project(session, who, project_id, body, _allowed(request))
        auditlog.record(session, who, "project.update", project.id)
        return service.describe(session, who, [project])[0]

    return db.write(run)
