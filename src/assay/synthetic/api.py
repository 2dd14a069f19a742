"""``POST /v1/projects/{id}/generate``: synthetic tasks for people to check."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Depends, Request

from assay.accounts.service import Requester
from assay.db.engine import Database
from assay.http.auth import get_db, require_member, require_requester
from assay.http.documents import SERVER_ERRORS, ErrorDoc
from assay.synthetic import service
from assay.synthetic.schemas import FiguresDoc, GenerateDoc, GenerateIn

router = APIRouter(tags=["synthetic"])

# Each generation waits on the model for many calls: on threads of its own, few at once.
_THREADS = anyio.CapacityLimiter(8)


@router.post("/v1/projects/{project_id}/generate", status_code=201, response_model=None,
             responses={201: {"model": GenerateDoc}, "4XX": {"model": ErrorDoc},
                        **SERVER_ERRORS,
                        502: {"model": ErrorDoc, "description": "model_error (nothing added)"},
                        504: {"model": ErrorDoc,
                              "description": "model_timeout (nothing added)"}},
             summary="Grow new tasks from seed prompts with a model (self-instruct), "
             "near-duplicates left out, for people to check")
async def generate(project_id: str, body: GenerateIn, request: Request,
                   who: Requester = Depends(require_member),
                   db: Database = Depends(get_db)) -> dict[str, Any]:
    state = request.app.state
    return await anyio.to_thread.run_sync(lambda: service.generate(
        db, who, project_id, body, allowed=state.settings.allowed_model_hosts,
        now=state.clock.now, rng=state.rng), limiter=_THREADS)


@router.get("/v1/projects/{project_id}/synthetic", response_model=None,
            responses={200: {"model": FiguresDoc}, "4XX": {"model": ErrorDoc},
                       **SERVER_ERRORS},
            summary="How people judged the generated tasks: accepted, edited, rejected")
def synthetic_figures(project_id: str, who: Requester = Depends(require_requester),
                      db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        return service.project_figures(session, who, project_id)
