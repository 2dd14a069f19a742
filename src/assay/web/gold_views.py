"""The project's gold and training tasks: ``/projects/{id}/gold`` lists both with the
expected answer and how workers did on each (answers given, share right), and forms to add
them and to retire a gold task. The changes are made by ``static/gold.js`` through the API
(``POST /v1/projects/{id}/gold``, ``/training``, ``/gold/{id}/retire``), so its rules and
field errors are the API's. Listing them shows their data: ``gold.list`` and
``training.list`` reads on the audit log, as the API's lists are.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from assay.auditlog.api import read_noted
from assay.db.engine import Database
from assay.http.auth import get_db
from assay.quality import service as quality
from assay.web.console_access import can_change, project_page_for
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
