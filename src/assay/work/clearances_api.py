"""``PATCH /v1/org/workers/{id}``: an admin sets a team worker's clearances."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from assay.accounts.service import Requester
from assay.clock import Clock
from assay.db.engine import Database
from assay.http.auth import get_clock, get_db, require_admin
from assay.http.documents import Doc, doc
from assay.projects.sensitivity import Clearance
from assay.work import clearances

router = APIRouter(tags=["org"])


class WorkerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    clearances: list[Clearance] = Field(
        max_length=2, description="the levels beyond standard this worker may be offered: "
        "\"confidential\", \"restricted\" (which covers confidential too); [] removes them")


class WorkerClearancesDoc(Doc):
    worker_id: str
    clearances: list[Clearance]


@router.patch("/v1/org/workers/{worker_id}", response_model=None,
              responses=doc(WorkerClearancesDoc), summary="Set a team worker's clearances",
              description="Admin only, for the organization's own team: a crowd worker or "
              "another organization's answers 404 like a missing one. Lowering a clearance "
              "ends the worker's live leases on projects they may no longer see.")
def patch_worker(worker_id: str, body: WorkerPatch, who: Requester = Depends(require_admin),
                 db: Database = Depends(get_db),
                 clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    return db.write(lambda s: clearances.set_clearances(s, who, worker_id,
                                                        list(body.clearances), clock.now()))
