"""``GET /v1/projects/{id}/export``: a streamed snapshot in JSONL, CSV, a post-training
format (``sft``, ``openai``, ``dpo``, ``kto``, ``openai_dpo``, ``reward``), or any of them
as one Parquet file (``&file=parquet``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from assay.accounts.service import Requester
from assay.auditlog.api import read_noted
from assay.db.engine import Database
from assay.exports import service
from assay.http.auth import get_db, require_member
from assay.http.documents import SERVER_ERRORS, ErrorDoc

router = APIRouter(tags=["export"])

ExportFormat = Literal["jsonl", "csv", "sft", "openai", "dpo", "kto", "openai_dpo", "reward"]
PARQUET = "application/vnd.apache.parquet"


@router.get("/v1/projects/{project_id}/export",
            responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {},
                                         PARQUET: {}}},
                       "4XX": {"model": ErrorDoc}, **SERVER_ERRORS})
def export_project(project_id: str, format: ExportFormat = "jsonl",
                   include: Literal["responses"] | None = None,
                   file: Literal["parquet"] | None = Query(
                       None, description="`parquet`: one Parquet file instead of lines"),
                   who: Requester = Depends(require_member),
                   db: Database = Depends(get_db)) -> StreamingResponse:
    """Every task (`jsonl`, `csv`) or the post-training rows of the completed tasks of a
    `chat`, `compare` or `rate` project (docs/exports.md)."""
    post_training = format not in ("jsonl", "csv")
    objects: Iterator[dict[str, Any]] = (
        service.iter_post_training_rows(db, who, project_id, format) if post_training
        else service.iter_task_objects(db, who, project_id, include == "responses"))
    # Pull the first item now so that a foreign or missing project (or a kind without
    # post-training rows) answers its error before the response starts.
    first = list(itertools.islice(objects, 1))
    read_noted(db, who, "export.create", project_id, None)
    rows = itertools.chain(first, objects)
    if file == "parquet":
        blocks = service.parquet_lines(rows, format, post_training)
        name = f"{project_id}.parquet" if not post_training else f"{project_id}-{format}.parquet"
        return StreamingResponse(blocks, media_type=PARQUET, headers={
            "Content-Disposition": f'attachment; filename="{name}"'})
    if format == "csv":
        return StreamingResponse(service.csv_lines(rows), media_type="text/csv",
                                 headers={"Content-Disposition":
                                          f'attachment; filename="{project_id}.csv"'})
    return StreamingResponse(service.jsonl_lines(rows), media_type="application/x-ndjson")
