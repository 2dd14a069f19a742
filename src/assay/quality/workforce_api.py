"""HTTP routes for a requester's decisions about the workers of their project: pause with
a reason, resume, decide an appeal (member)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from assay.accounts.service import Requester
from assay.clock import Clock
from assay.db.engine import Database
from assay.http.auth import get_clock, get_db, require_member
from assay.http.documents import AppealDoc, doc
from assay.quality import workforce

router = APIRouter(prefix="/v1/projects/{project_id}/workers/{worker_id}", tags=["quality"])


class PauseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=2000,
                      description="why: on the worker's record, which they see")


class ResumeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=2000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grant: bool = Field(description="true lifts the pause; false keeps it")
    note: str | None = Field(default=None, max_length=2000)


class StatusDoc(BaseModel):
    project: str
    worker_id: str
    status: str
    pause_reason: str | None


@router.post("/pause", response_model=None, responses=doc(StatusDoc),
             summary="Pause a worker in the project, with a reason (member)")
def pause_worker(project_id: str, worker_id: str, body: PauseIn,
                 who: Requester = Depends(require_member), db: Database = Depends(get_db),
                 clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    """A plain hold (`pause_reason` `operator`): the worker gets no more of the project's
    tasks until resumed; their answers keep counting. A worker who never answered in the
    project → `404`; one already paused → `409 already_paused`."""
    now = clock.now()
    return db.write(lambda s: workforce.pause(s, who, project_id, worker_id, body.note, now))


@router.post("/resume", response_model=None, responses=doc(StatusDoc),
             summary="Lift a worker's pause in the project (member)")
def resume_worker(project_id: str, worker_id: str, body: ResumeIn,
                  who: Requester = Depends(require_member), db: Database = Depends(get_db),
                  clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    """The accuracy bar then applies to checks made from now on. Not paused → `409`."""
    now = clock.now()
    return db.write(lambda s: workforce.resume(s, who, project_id, worker_id, body.note, now))


@router.post("/appeal", response_model=None, responses=doc(AppealDoc),
             summary="Decide the worker's pending appeal in the project (member)")
def decide_appeal(project_id: str, worker_id: str, body: DecisionIn,
                  who: Requester = Depends(require_member), db: Database = Depends(get_db),
                  clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    """Granting lifts the pause. No appeal → `404`; already decided → `409 decided`."""
    now = clock.now()
    return db.write(lambda s: workforce.decide_appeal(s, who, project_id, worker_id,
                                                      body.grant, body.note, now))
