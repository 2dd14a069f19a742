"""HTTP routes: gold and training tasks, and the workers of a project."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.auditlog.api import read_noted
from assay.db.engine import Database
from assay.http.auth import get_db, require_member, require_requester
from assay.http.documents import (
    FlagPage,
    QualityReportDoc,
    ReferenceDoc,
    ReferencePage,
    WorkerPage,
    doc,
)
from assay.http.pagination import check_limit, decode_token, page
from assay.integrity import service as integrity
from assay.projects import service as projects
from assay.quality import repository, service
from assay.quality.schemas import GoldIn, TrainingIn

router = APIRouter(prefix="/v1/projects", tags=["quality"])


@router.post("/{project_id}/gold", status_code=201, response_model=None,
             responses=doc(ReferenceDoc, 201))
def add_gold(project_id: str, body: GoldIn, who: Requester = Depends(require_member),
             db: Database = Depends(get_db)) -> dict[str, Any]:
    return db.write(lambda s: auditlog.noted(s, who, "gold.create", service.reference_object(
        service.add_reference(s, who, project_id, body, "gold"))))


@router.post("/{project_id}/training", status_code=201, response_model=None,
             responses=doc(ReferenceDoc, 201))
def add_training(project_id: str, body: TrainingIn,
                 who: Requester = Depends(require_member),
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    return db.write(lambda s: auditlog.noted(s, who, "training.create", service.reference_object(
        service.add_reference(s, who, project_id, body, "training"))))


def _list(db: Database, who: Requester, project_id: str, purpose: str, limit: int,
          next_token: str | None) -> dict[str, Any]:
    limit = check_limit(limit)
    after = decode_token(next_token)
    with db.read() as session:
        projects.get_project(session, who, project_id)
        rows = repository.list_reference(session, who.org_id, project_id, purpose, after,
                                         limit + 1)
        return read_noted(db, who, f"{purpose}.list", project_id, page(
            [service.reference_object(t) for t in rows], [t.id for t in rows], limit))


@router.post("/{project_id}/gold/{gold_id}/retire", response_model=None,
             responses=doc(ReferenceDoc))
def retire_gold(project_id: str, gold_id: str, who: Requester = Depends(require_member),
                db: Database = Depends(get_db)) -> dict[str, Any]:
    """Stop serving a gold task; the workers who answered it may then see it as evidence."""
    return db.write(lambda s: auditlog.noted(s, who, "gold.retire", service.reference_object(
        service.retire_gold(s, who, project_id, gold_id))))


@router.get("/{project_id}/gold", response_model=None, responses=doc(ReferencePage))
def list_gold(project_id: str, limit: int = Query(100), next_token: str | None = None,
              who: Requester = Depends(require_requester),
              db: Database = Depends(get_db)) -> dict[str, Any]:
    return _list(db, who, project_id, "gold", limit, next_token)


@router.get("/{project_id}/training", response_model=None, responses=doc(ReferencePage))
def list_training(project_id: str, limit: int = Query(100), next_token: str | None = None,
                  who: Requester = Depends(require_requester),
                  db: Database = Depends(get_db)) -> dict[str, Any]:
    return _list(db, who, project_id, "training", limit, next_token)


@router.get("/{project_id}/workers", response_model=None, responses=doc(WorkerPage))
def list_workers(project_id: str, limit: int = Query(100), next_token: str | None = None,
                 who: Requester = Depends(require_requester),
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    limit = check_limit(limit)
    after = decode_token(next_token)
    with db.read() as session:
        docs, ids = service.worker_report(session, who, project_id, after, limit + 1)
    return page(docs, ids, limit)


@router.get("/{project_id}/quality", response_model=None, responses=doc(QualityReportDoc))
def project_quality(project_id: str, who: Requester = Depends(require_requester),
                    db: Database = Depends(get_db)) -> dict[str, Any]:
    from assay.quality import report  # numpy: on first use

    with db.read() as session:
        return report.quality_report(session, who, project_id)


@router.get("/{project_id}/flags", response_model=None, responses=doc(FlagPage))
def list_flags(project_id: str, limit: int = Query(100), next_token: str | None = None,
               who: Requester = Depends(require_requester),
               db: Database = Depends(get_db)) -> dict[str, Any]:
    """Integrity flags on the project's workers (too fast, possible collusion)."""
    limit = check_limit(limit)
    after = decode_token(next_token)
    with db.read() as session:
        projects.get_project(session, who, project_id)
        rows = integrity.list_flags(session, who.org_id, project_id, after, limit + 1)
        return page([integrity.flag_object(f) for f in rows], [f.id for f in rows], limit)
