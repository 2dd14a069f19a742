"""``DELETE /v1/tasks/{id}`` and ``DELETE /v1/projects/{id}`` (admin): erasure."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends

from assay.accounts.service import Requester
from assay.clock import Clock
from assay.db.engine import Database
from assay.http.auth import get_clock, get_db, require_admin
from assay.http.documents import Doc, doc
from assay.tasks import erasure

router = APIRouter(tags=["erasure"])


class ErasedDoc(Doc):
    id: str
    object: Literal["task", "project"]
    erased: Literal[True]


_WHAT = ("Its data, metadata, unique_id, result, answers' content, gold answers, reviews' "
         "and audits' answers and comments are overwritten; the id answers 404 from now on "
         "(a second DELETE too), like one that never existed. Live leases end. The pay "
         "ledger keeps its amounts. Admin only.")


@router.delete("/v1/tasks/{task_id}", response_model=None, responses=doc(ErasedDoc),
               summary="Erase a task", description=_WHAT)
def delete_task(task_id: str, who: Requester = Depends(require_admin),
                db: Database = Depends(get_db),
                clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    db.write(lambda s: erasure.erase_task(s, who, task_id, clock.now()))
    return {"id": task_id, "object": "task", "erased": True}


@router.delete("/v1/projects/{project_id}", response_model=None, responses=doc(ErasedDoc),
               summary="Erase a project and all its tasks",
               description=_WHAT.replace("Its data", "Every task's data") +
               " The project's name, instructions, params and callback URL go too.")
def delete_project(project_id: str, who: Requester = Depends(require_admin),
                   db: Database = Depends(get_db),
                   clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    db.write(lambda s: erasure.erase_project(s, who, project_id, clock.now()))
    return {"id": project_id, "object": "project", "erased": True}
