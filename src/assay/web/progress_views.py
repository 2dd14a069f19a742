"""Progress as JSON, for the requester's pages to refresh themselves while work goes on:
``GET /progress`` (every project the dashboard lists) and ``GET /projects/{id}/progress``.

Counts and pace only, no task content, so these reads put nothing on the audit log. Any
requester role may read them (the session cookie or an API key, as for ``GET`` in the API);
``static/console.js`` polls them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from assay.accounts.service import Requester
from assay.clock import utcnow
from assay.db.engine import Database
from assay.http.auth import get_db, require_requester
from assay.projects import repository as projects_repo
from assay.projects import service as projects
from assay.web.dashboard_views import paces, progress

router = APIRouter(include_in_schema=False)


def _figures(described: list[dict[str, Any]],
             pace_of: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for p in described:
        done = progress(p["counts"])
        pace = pace_of[p["id"]]
        out.append({"id": p["id"], "counts": p["counts"], "total": done["total"],
                    "percent": done["percent"], "answers_24h": pace["answers"],
                    "per_hour": f"{pace['per_hour']:.1f}", "left": pace["left"],
                    "eta_text": pace["eta_text"],
                    "running": p["counts"].get("pending", 0) > 0})
    return out


def _progress_of(db: Database, who: Requester, project_id: str | None) -> list[dict[str, Any]]:
    now = utcnow()
    with db.read() as session:
        if project_id is None:
            rows = list(projects_repo.list_projects(session, who.org_id, None, 500))
        else:
            rows = [projects.get_project(session, who, project_id)]
        described = projects.describe(session, who, rows)
        pace_of = paces(session, who, [p.id for p in rows], now)
    return _figures(described, pace_of)


@router.get("/progress", response_model=None)
def all_progress(who: Requester = Depends(require_requester),
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    return {"projects": _progress_of(db, who, None)}


@router.get("/projects/{project_id}/progress", response_model=None)
def project_progress(project_id: str, who: Requester = Depends(require_requester),
                     db: Database = Depends(get_db)) -> dict[str, Any]:
    """A foreign or missing project answers ``404`` like the API."""
    return {"projects": _progress_of(db, who, project_id)}
