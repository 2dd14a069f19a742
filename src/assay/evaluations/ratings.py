"""The ``ratings`` section of a leaderboard: rubric scores per model and criterion.

With ``human.mode`` ``rating`` or ``both`` every reply is a task of the evaluation's rating
project, of the kind the registry names (:func:`assay.kinds.rating_kind`; its unique id is
the reply's id). A completed task's result (for ``rate``, the median of its raters) read by
:meth:`Kind.rating_scores` is the reply's score; a model's score
on a criterion is the mean over its rated replies, with a 95% Student-t interval over
prompts (:func:`assay.algorithms.rubric_scores.group_means`). With criteria, ``overall`` is
each reply's weight-averaged score, averaged the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assay.algorithms.rubric_scores import group_means, weighted_overall
from assay.db.models import Evaluation
from assay.evaluations import service
from assay.kinds import rating_kind
from assay.tasks import service as tasks


def _r(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 4)


def rated_replies(session: Any, org_id: str, project_id: str) -> dict[str, dict[str, Any]]:
    """Each completed rating task's answer (``{"rating": x}`` or ``{"scores": {...}}``), by
    the id of the reply it rated."""
    found = {}
    for task in tasks.iter_project_task_objects(session, org_id, project_id, False, 1000):
        answer = (task.get("result") or {}).get("answer")
        if task["status"] == "completed" and isinstance(answer, dict) and task["unique_id"]:
            found[str(task["unique_id"])] = answer
    return found


def rating_report(session: Any, org_id: str, evaluation: Evaluation,
                  prompts: list[int]) -> dict[str, Any] | None:
    """The ``ratings`` section over the chosen prompts; None without rubric rating."""
    project_id = evaluation.config.get("rating_project")
    if project_id is None:
        return None
    rubric = (evaluation.config["human"] or {}).get("rating") or {}
    low, high = rubric.get("min", 1), rubric.get("max", 5)
    criteria = [c["id"] for c in rubric.get("criteria") or []]
    weights = [float(c.get("weight", 1)) for c in rubric.get("criteria") or []]
    keys = [*criteria, "overall"] if criteria else ["rating"]
    names: list[str] = evaluation.config["contestants"]
    code = {name: i for i, name in enumerate(names)}
    keep = set(prompts)
    answers = rated_replies(session, org_id, project_id)
    kind = rating_kind()
    groups: list[int] = []
    rows: list[list[float]] = []
    for reply in service.list_replies(session, org_id, evaluation.id):
        answer = answers.get(reply.id)
        if answer is None or reply.prompt_index not in keep:
            continue
        groups.append(code[reply.model])
        scores = kind.rating_scores(answer)
        rows.append([scores.get(c, np.nan) for c in (criteria or ["rating"])])
    table = np.array(rows, dtype=np.float64).reshape(len(rows), len(criteria) or 1)
    if criteria:
        table = np.column_stack([table, weighted_overall(table, weights)])
    by_model: list[dict[str, Any]] = [
        {"model": name, "replies": groups.count(i), "scores": {}}
        for i, name in enumerate(names)]
    for column, key in enumerate(keys):
        values = table[:, column]
        present = ~np.isnan(values)
        means = group_means(values[present], np.array(groups, dtype=np.int64)[present],
                            len(names), low=low, high=high)
        for i, row in enumerate(by_model):
            mean = _r(means.mean[i])
            row["scores"][key] = {
                "mean": mean, "n": int(means.n[i]),
                "ci": None if _r(means.ci_low[i]) is None
                else [_r(means.ci_low[i]), _r(means.ci_high[i])]}
    lead = keys[-1]
    by_model.sort(key=lambda row: (row["scores"][lead]["mean"] is None,
                                   -(row["scores"][lead]["mean"] or 0.0)))
    return {"scale": [low, high], "criteria": keys, "level": 0.95,
            "rated": len(rows), "models": by_model}
