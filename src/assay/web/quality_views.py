"""The project's quality page ``/projects/{id}/quality``: the figures of
``GET /v1/projects/{id}/quality`` (agreement, the Dawid-Skene model's classes and workers
with their confusion matrices, calibration on gold) as tables and charts drawn on the
server, the integrity flags on its workers, and the tasks flagged for review. The tasks'
data is shown, so the page is a ``task.list`` read on the audit log, like the project page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from assay.auditlog.api import read_noted
from assay.db.engine import Database
from assay.http.auth import get_db
from assay.integrity import service as integrity
from assay.review import service as review
from assay.tasks.objects import task_object
from assay.web import charts
from assay.web.console_access import project_page_for
from assay.web.pages import render, short_json

router = APIRouter(include_in_schema=False)

SHOWN = 100


def _drawn(report: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    classes = report["classes"]
    return {
        "priors": charts.share_bars("chart-priors", "Class priors (the model's share of each "
                                    "class)", [(c["label"], c["prior"]) for c in classes]),
        "recall": charts.share_bars("chart-recall", "Recall per class (answers right when "
                                    "this is the truth)", [(c["label"], c["recall"])
                                                           for c in classes]),
        "workers": charts.share_bars("chart-workers", "Estimated accuracy per worker", [
            (w["worker_id"], w["estimated_accuracy"]) for w in report["workers"][:40]]),
        "calibration": charts.calibration_chart("chart-calibration", "Calibration on gold",
                                                report["calibration"]),
        "confusions": {w["worker_id"]: charts.confusion_grid(
            f"confusion-{w['worker_id']}", f"Confusion of {w['worker_id']}", labels,
            w["confusion"]) for w in report["workers"][:SHOWN]},
    }


@router.get("/projects/{project_id}/quality", response_model=None)
def quality_page(project_id: str, request: Request, db: Database = Depends(get_db)) -> Response:
    found = project_page_for(request, db, project_id)
    if isinstance(found, Response):
        return found
    who, project = found
    from assay.quality import report as quality_report  # numpy: on first use

    with db.read() as session:
        report = quality_report.quality_report(session, who, project_id)
        flags = [integrity.flag_object(f) for f in
                 integrity.list_flags(session, who.org_id, project_id, None, SHOWN)]
        flagged = review.list_awaiting_review(session, who, project_id, SHOWN + 1)
    awaiting = read_noted(db, who, "task.list", project_id,
                          [task_object(t) for t in flagged[:SHOWN]])
    for t in awaiting:
        t["data_text"] = short_json(t["data"])
        t["answer_text"] = short_json((t["result"] or {}).get("answer"))
    labels = [c["label"] for c in report["classes"]]
    return render(request, "project_quality.html", {
        "project": project, "tab": "quality", "report": report, "labels": labels,
        "charts": _drawn(report, labels) if report["model"] else None, "flags": flags,
        "awaiting": awaiting, "more_awaiting": len(flagged) > SHOWN,
    })
