"""Model predictions a requester uploads: ``POST /v1/projects/{id}/predictions``.

Class probabilities per task, for a categorical (single-label) project. All or nothing: one
bad row fails the call with a 422 naming every bad row's field
(``predictions[3].probabilities.maybe``). Stored sealed, one per task (a new upload
replaces the old). They feed the suspects (confident learning), pre-label suggestions and
uncertainty ordering.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.curation import repository
from assay.curation.schemas import PredictionsIn
from assay.errors import InvalidInput, field_error
from assay.kinds import get_kind
from assay.projects import service as projects

SUM_TOLERANCE = 0.01


def project_labels(project: Any) -> tuple[str, list[str]]:
    """``(answer key, labels)`` of a single-label categorical project, else a 422."""
    found = get_kind(project.kind).categorical(project.params)
    if found is None:
        raise field_error("project", f"a {project.kind} project has no single label per "
                                     "task to predict")
    return found.key, list(found.labels)


def _row_errors(i: int, probabilities: dict[str, float], labels: set[str]) -> list[dict[str, str]]:
    where = f"predictions[{i}].probabilities"
    errors = []
    for label, p in probabilities.items():
        if label not in labels:
            errors.append({"field": f"{where}.{label}", "message": "is not a label of the "
                                                                   "project"})
        elif not (math.isfinite(p) and 0.0 <= p <= 1.0):
            errors.append({"field": f"{where}.{label}", "message": "must be in [0, 1]"})
    if not errors:
        total = math.fsum(probabilities.values())
        if abs(total - 1.0) > SUM_TOLERANCE:
            errors.append({"field": where, "message": f"sum to {total:.4g}, not 1"})
    return errors


def upload_predictions(session: Session, who: Requester, project_id: str, body: PredictionsIn,
                       now: datetime) -> dict[str, Any]:
    project = projects.get_project(session, who, project_id)
    _, labels = project_labels(project)
    label_set = set(labels)
    ids = [p.task_id for p in body.predictions]
    known = repository.list_project_tasks(session, who.org_id, project.id, ids)
    errors: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(body.predictions):
        row = known.get(item.task_id)
        if row is None or row.purpose != "live":
            errors.append({"field": f"predictions[{i}].task_id",
                           "message": "is not a task of this project"})
        elif item.task_id in seen:
            errors.append({"field": f"predictions[{i}].task_id",
                           "message": "appears twice in this call"})
        seen.add(item.task_id)
        errors += _row_errors(i, {k: float(v) for k, v in item.probabilities.items()},
                              label_set)
    if errors:
        raise InvalidInput(f"{len(errors)} invalid prediction field(s); first: "
                           f"{errors[0]['field']}: {errors[0]['message']}", {"fields": errors})
    items = []
    for item in body.predictions:
        total = math.fsum(float(v) for v in item.probabilities.values())
        items.append((item.task_id, {label: float(item.probabilities.get(label, 0.0)) / total
                                     for label in labels}))
    repository.upsert_predictions(session, who.org_id, project.id, items, now)
    return {"project": project.id, "stored": len(items)}
