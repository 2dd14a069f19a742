"""The project's data page ``/projects/{id}/data``: import tasks from a file (JSON lines
or CSV, chosen or dropped; ``static/import.js`` previews the first rows and shows the
upload's progress) and export buttons.

``POST /projects/{id}/import`` takes the file (multipart ``file``, ``partial``) and creates
its tasks in one transaction through :mod:`assay.tasks.imports`, the same rules as ``POST
/v1/tasks/bulk`` and ``assay import``: every bad row is reported by its line, and unless
``partial`` one bad row means nothing is written (``422`` with ``details.errors``).
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from assay.auditlog import service as auditlog
from assay.db.engine import Database
from assay.errors import InvalidInput
from assay.exports.posttraining import FORMAT_NAMES, KINDS
from assay.http.auth import get_db
from assay.tasks import imports
from assay.web.console_access import can_change, changing_member, project_page_for
from assay.web.pages import render

router = APIRouter(include_in_schema=False)

TASK_FORMATS = (("jsonl", "JSON lines"), ("csv", "CSV"))


def export_links(project_id: str, kind: str) -> list[dict[str, str]]:
    """The export API's formats for this project: its tasks as JSON lines or CSV (each also
    with the answers) or one Parquet file, and for the kinds that hold preferences or
    scores every post-training format, as JSON lines and as Parquet."""
    base = f"/v1/projects/{project_id}/export?format="
    links = []
    for fmt, name in TASK_FORMATS:
        links.append({"format": fmt, "name": name, "href": base + fmt,
                      "file": f"{project_id}.{fmt}", "group": "tasks"})
        links.append({"format": f"{fmt}-responses", "name": f"{name} with answers",
                      "href": f"{base}{fmt}&include=responses",
                      "file": f"{project_id}-answers.{fmt}", "group": "tasks"})
    links.append({"format": "parquet", "name": "Parquet", "href": base + "jsonl&file=parquet",
                  "file": f"{project_id}.parquet", "group": "tasks"})
    if kind in KINDS:
        for fmt in FORMAT_NAMES:
            links.append({"format": fmt, "name": fmt, "href": base + fmt,
                          "file": f"{project_id}-{fmt}.jsonl", "group": "post-training"})
            links.append({"format": f"{fmt}-parquet", "name": f"{fmt} (Parquet)",
                          "href": f"{base}{fmt}&file=parquet",
                          "file": f"{project_id}-{fmt}.parquet", "group": "post-training"})
    return links


@router.get("/projects/{project_id}/data", response_model=None)
def data_page(project_id: str, request: Request, db: Database = Depends(get_db)) -> Response:
    found = project_page_for(request, db, project_id)
    if isinstance(found, Response):
        return found
    who, project = found
    return render(request, "project_data.html", {
        "project": project, "can_change": can_change(who), "tab": "data",
        "exports": export_links(project["id"], project["kind"]),
    })


def _file_format(upload: UploadFile, given: str) -> str:
    if given in ("csv", "jsonl"):
        return given
    return "csv" if (upload.filename or "").lower().endswith(".csv") else "jsonl"


@router.post("/projects/{project_id}/import", response_model=None)
def import_tasks(project_id: str, request: Request, file: UploadFile = File(...),
                 partial: str = Form(""), format: str = Form(""), csrf_token: str = Form(""),
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    who = changing_member(request, csrf_token)
    hosts: tuple[str, ...] = request.app.state.settings.allowed_callback_hosts
    text = io.TextIOWrapper(file.file, encoding="utf-8-sig", newline="")
    try:
        # Read before the write transaction: decoding a large file holds no lock.
        rows = list(imports.rows_of(text, _file_format(file, format)))
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file is not UTF-8 text", {"fields": [
            {"field": "file", "message": "is not UTF-8 text"}]}) from exc

    def run(session: Session) -> dict[str, Any]:
        summary = imports.import_rows(session, who, project_id, rows,
                                      partial=partial == "1", allowed_hosts=hosts)
        return auditlog.noted(session, who, "task.create_bulk", summary, project_id)

    summary = db.write(run)
    return {**summary, "rows": len(rows)}
