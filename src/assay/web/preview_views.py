"""A preview of the worker's page: ``GET /projects/{id}/preview``, framed by the settings
page. It draws the kind's own labeling widget (``/static/kinds/<kind>.js``) over the
project's first task (or an example when it has none) with the project's params, or with
the params of the settings being typed, passed in the query as the form's fields
(``labels=…&multiple=1``, ``rubric=…``) or as ``params=<JSON>``. No assignment is made and
no answer is sent: an answer is shown on the page instead.

Only this page may be framed, and only by this site (``frame-ancestors 'self'``). Showing
a task's data makes it a ``task.read`` on the audit log.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from assay.auditlog.api import read_noted
from assay.db.engine import Database
from assay.http.auth import get_db
from assay.kinds import get_kind
from assay.kinds.base import KindValidationError
from assay.tasks import service as tasks
from assay.web.console_access import project_page_for
from assay.web.middleware import CSP
from assay.web.pages import markdown, render

router = APIRouter(include_in_schema=False)

EXAMPLE = {"text": "An example task: this project has no tasks yet, so its first one is "
                   "not shown here."}
FRAMED_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


def _params(query: Any, kind_name: str, current: dict[str, Any]) -> tuple[Any, list[str]]:
    """The params to preview and the problems found in them (then the widget is not drawn)."""
    kind = get_kind(kind_name)
    if query.get("params", "").strip():
        try:
            params = json.loads(query["params"])
        except ValueError:
            return None, ["params: is not valid JSON"]
    elif any(f.name in query for f in kind.form_fields):
        params = kind.params_from_form({f.name: query.get(f.name, "") for f in kind.form_fields})
    else:
        params = current
    try:
        return kind.validate_params(params), []
    except KindValidationError as exc:
        return None, [f"{e.field}: {e.message}" for e in exc.errors]


@router.get("/projects/{project_id}/preview", response_model=None)
def preview(project_id: str, request: Request, db: Database = Depends(get_db)) -> Response:
    found = project_page_for(request, db, project_id)
    if isinstance(found, Response):
        return found
    who, project = found
    params, problems = _params(request.query_params, project["kind"], project["params"])
    with db.read() as session:
        first = tasks.first_task_data(session, who, project_id)
    if first is not None:
        task_id, data = read_noted(db, who, "task.read", first[0], first)
    else:
        task_id, data = None, EXAMPLE
    instructions = request.query_params.get("instructions", project["instructions"] or "")
    response = render(request, "preview.html", {
        "project": project, "problems": problems, "instructions": markdown(instructions),
        "offer": json.dumps({"assignment_id": "preview", "project": project_id,
                             "kind": project["kind"], "params": params, "data": data,
                             "instructions": instructions}),
        "task_id": task_id,
    })
    response.headers["content-security-policy"] = FRAMED_CSP
    response.headers["x-frame-options"] = "SAMEORIGIN"
    return response
