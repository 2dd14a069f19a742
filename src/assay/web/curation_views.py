"""The project's curation page ``/projects/{id}/curation``: near-duplicates (found by a job,
cancelled in one click), a semantic search box, and the suspects with send-to-review.

The page is a shell: ``static/curation.js`` calls the JSON API with the session cookie
(``GET /v1/projects/{id}/duplicates``, ``GET /v1/tasks/search``, ``GET …/suspects``, and
the member's ``POST …/duplicates/cancel`` and ``POST …/suspects/review`` with the CSRF
header), so each read of task data is on the audit log as the API puts it there.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from assay.db.engine import Database
from assay.http.auth import get_db
from assay.web.console_access import can_change, project_page_for
from assay.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/projects/{project_id}/curation", response_model=None)
def curation_page(project_id: str, request: Request,
                  db: Database = Depends(get_db)) -> Response:
    found = project_page_for(request, db, project_id)
    if isinstance(found, Response):
        return found
    who, project = found
    return render(request, "project_curation.html", {
        "project": project, "can_change": can_change(who), "tab": "curation"})
