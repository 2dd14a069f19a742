"""HTTP routes of appeals, on the worker side (operators decide with `assay appeals`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from assay.accounts.service import WorkerPrincipal
from assay.db.engine import Database
from assay.http.auth import get_db, require_worker
from assay.http.documents import AppealDoc, AppealPage, doc
from assay.quality import appeals

router = APIRouter(prefix="/v1/work/appeals", tags=["work"])


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project: str
    message: str = Field(min_length=1, max_length=10_000)


@router.post("", status_code=201, response_model=None, responses=doc(AppealDoc, 201))
def file_appeal(body: AppealIn, who: WorkerPrincipal = Depends(require_worker),
                db: Database = Depends(get_db)) -> dict[str, Any]:
    return db.write(lambda s: appeals.file_appeal(s, who, body.project, body.message))


@router.get("", response_model=None, responses=doc(AppealPage))
def my_appeals(who: WorkerPrincipal = Depends(require_worker),
               db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        return {"docs": appeals.worker_appeals(session, who), "next_token": None}
