"""The project's gold and training tasks: ``/projects/{id}/gold`` lists both with the
expected answer and how workers did on each (answers given, share right), and forms to add
them and to retire a gold task. The changes are made by ``static/gold.js`` through the API
(``POST /v1/projects/{id}/gold``, ``/training``, ``/gold/{id}/retire``), so its rules and
field errors are the API's. Listing them shows their data: ``gold.list`` and
``training.list`` reads on the audit log, as the API's lists are.

``POST /projects/{id}/gold/import`` takes a file of JSON lines, one ``{"data", "answer",
"explanation"?}`` a line, and adds them all as gold (or training, ``purpose``) tasks in one
transaction, under the API's rules: any bad line, named by its number, and nothing is
added.
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from assay.auditlog import service as auditlog
from assay.auditlog.api import read_noted
from assay.db.engine import Database
from assay.errors import InvalidInput
from assay.http.auth import get_db
from assay.quality import service as quality
from assay.tasks import imports
from assay.web.console_access import can_change, changing_member, project_page_for
from assay.web.pages import render, short_json

router = APIRouter(include_in_schema=False)

SHOWN = 500


@router.get("/projects/{project_id}/gold", response_model=None)
def gold_page(project_id: str, request: Request, db: Database = Depends(get_db)) -> Response:
    found = project_page_for(request, db, project_id)
    if isinstance(found, Response):
        return found
    who, project = found
    shown = {}
    for purpose in ("gold", "training"):
        with db.read() as session:
            items = quality.reference_report(session, who, project_id, purpose, SHOWN + 1)
        shown[purpose] = read_noted(db, who, f"{purpose}.list", project_id, items)
        for item in shown[purpose]:
            item["data_text"] = short_json(item["data"], 300)
            item["answer_text"] = short_json(item["answer"], 300)
    return render(request, "project_gold.html", {
        "project": project, "tab": "gold", "can_change": can_change(who),
        "gold": shown["gold"][:SHOWN], "training": shown["training"][:SHOWN],
        "more": any(len(v) > SHOWN for v in shown.values()),
    })


@router.post("/projects/{project_id}/gold/import", response_model=None)
def import_gold(project_id: str, request: Request, file: UploadFile = File(...),
                purpose: str = Form("gold"), csrf_token: str = Form(""),
                db: Database = Depends(get_db)) -> dict[str, Any]:
    who = changing_member(request, csrf_token)
    if purpose not in ("gold", "training"):
        raise InvalidInput("purpose must be gold or training", {"fields": [
            {"field": "purpose", "message": "must be gold or training"}]})
    try:
        rows = list(imports.jsonl_rows(io.TextIOWrapper(file.file, encoding="utf-8-sig")))
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file is not UTF-8 text", {"fields": [
            {"field": "file", "message": "is not UTF-8 text"}]}) from exc

    def run(session: Session) -> dict[str, Any]:
        done = quality.import_references(session, who, project_id, purpose, rows)
        return auditlog.noted(session, who, f"{purpose}.import", done, project_id)

    return db.write(run)
