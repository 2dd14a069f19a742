"""``GET /v1/projects/{id}/export``: a streamed snapshot in JSONL or CSV."""

from __future__ import annotations

import itertools
from typing import Literal

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from assay.accounts.service import Requester
from assay.auditlog.api import read_noted
from assay.db.engine import Database
from assay.exports import service
from assay.http.auth import get_db, require_member
from assay.http.documents import ErrorDoc

router = APIRouter(tags=["export"])


@router.get("/v1/projects/{project_id}/export",
            responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}},
                       "4XX": {"model": ErrorDoc}})
def export_project(project_id: str, format: Literal["jsonl", "csv"] = "jsonl",
                   include: Literal["responses"] | None = None,
                   who: Requester = Depends(require_member),
                   db: Database = Depends(get_db)) -> StreamingResponse:
    objects = service.iter_task_objects(db, who, project_id, include == "responses")
    # Pull the first item now so that a foreign or missing project answers 404 before the
    # response starts.
    first = list(itertools.islice(objects, 1))
    read_noted(db, who, "export.create", project_id, None)
    rows = itertools.chain(first, objects)
    if format == "csv":
        return StreamingResponse(service.csv_lines(rows), media_type="text/csv",
                                 headers={"Content-Disposition":
                                          f'attachment; filename="{project_id}.csv"'})
    return StreamingResponse(service.jsonl_lines(rows), media_type="application/x-ndjson")
