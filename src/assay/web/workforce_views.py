"""The project's workforce: ``/projects/{id}/workforce`` — its workers with their figures
(the same report as ``GET /v1/projects/{id}/workers``), its reviewers and their levels, the
appeals of paused workers, the project's cost and the organization's payouts. A member
pauses a worker with a reason, resumes them, and decides an appeal from it
(``static/workforce.js``, through ``/v1/projects/{id}/workers/{worker}/pause|resume|appeal``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from assay.db.engine import Database
from assay.http.auth import get_db
from assay.ledger import service as ledger
from assay.quality import appeals
from assay.quality import service as quality
from assay.review import service as review
from assay.web.console_access import can_change, project_page_for
from assay.web.pages import render

router = APIRouter(include_in_schema=False)

SHOWN = 1000
PAYOUTS = 20


@router.get("/projects/{project_id}/workforce", response_model=None)
def workforce_page(project_id: str, request: Request,
                   db: Database = Depends(get_db)) -> Response:
    found = project_page_for(request, db, project_id)
    if isinstance(found, Response):
        return found
    who, project = found
    with db.read() as session:
        workers, _ = quality.worker_report(session, who, project_id, None, SHOWN + 1)
        reviewers = review.list_reviewers(session, who, project_id)
        filed = appeals.project_appeals(session, who, project_id)
        cost = ledger.project_cost(session, who, project_id)["docs"]
        payouts, _ = ledger.list_payouts(session, who, None, PAYOUTS)
    paused = sum(1 for w in workers if w["status"] == "paused")
    return render(request, "project_workforce.html", {
        "project": project, "tab": "workforce", "workers": workers[:SHOWN],
        "more_workers": len(workers) > SHOWN, "paused": paused, "reviewers": reviewers,
        "appeals": filed, "cost": cost, "payouts": payouts, "can_change": can_change(who),
    })
