"""HTTP route of the worker's own standing in a project, with its evidence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from assay.accounts.service import WorkerPrincipal
from assay.db.engine import Database
from assay.http.auth import get_db, require_worker
from assay.http.documents import StandingDoc, doc
from assay.quality import standing

router = APIRouter(tags=["work"])


@router.get("/v1/work/standing", response_model=None, responses=doc(StandingDoc))
def my_standing(project: str = Query(description="the project's id"),
                who: WorkerPrincipal = Depends(require_worker),
                db: Database = Depends(get_db)) -> dict[str, Any]:
    """Why you stand where you stand in a project: accuracy with its evidence, reviews,
    flags, earnings, and every pause, appeal and decision."""
    with db.read() as session:
        return standing.worker_standing_detail(session, who, project)
