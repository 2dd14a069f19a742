"""Adaptive overlap: after every answer, is this task settled, or does it need another
worker?

Applies to single-label ``categorize`` and to ``compare`` when the project sets
``target_confidence`` above 0 (otherwise a task completes at ``overlap`` answers by the
kind's interim rule). The task's posterior comes from the one-coin model
(:func:`assay.algorithms.posterior.one_coin_posterior`) with each worker's accuracy
estimated from their checked (gold) answers, shrunk toward the background refit's model
estimate (or ``PRIOR_ACCURACY`` before the first refit) with the weight of
``PRIOR_WEIGHT`` answers. The task completes once it has ``overlap`` answers and
its best label reaches the target; otherwise it asks one more worker, up to
``max_overlap``, and then completes with its best label and ``review_status: "pending"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.algorithms.posterior import one_coin_posterior
from assay.db.models import ProjectWorker, Response
from assay.db.types import AnyRow
from assay.quality.labels import categorical_labels

PRIOR_ACCURACY = 0.7
PRIOR_WEIGHT = 4.0
METHOD = "one_coin_posterior"


@dataclass(frozen=True)
class Decision:
    result: dict[str, Any] | None = None  # set: complete with this result
    review: bool = False                   # complete, but flag for review
    overlap: int | None = None             # set: ask for this many answers instead


def _classes(project: AnyRow) -> tuple[str, list[str]] | None:
    """The answer key and label set where adaptive overlap applies, else None."""
    if float(project.quality.get("target_confidence", 0.0)) <= 0.0:
        return None
    return categorical_labels(project)


def applies(project: AnyRow) -> bool:
    return _classes(project) is not None


def worker_accuracies(session: Session, project_id: str, worker_ids: list[str],
                      chance: float) -> np.ndarray:
    """Each worker's accuracy: their gold record, shrunk toward the background refit's
    model estimate when there is one, else toward ``PRIOR_ACCURACY``."""
    rows = {w: (c, n, m) for w, c, n, m in session.execute(
        select(ProjectWorker.worker_id, ProjectWorker.gold_correct, ProjectWorker.gold_answers,
               ProjectWorker.model_accuracy)
        .where(ProjectWorker.project_id == project_id,
               ProjectWorker.worker_id.in_(worker_ids))).all()}

    def estimate(worker_id: str) -> float:
        correct, total, model = rows.get(worker_id, (0, 0, None))
        prior = PRIOR_ACCURACY if model is None else float(model)
        return (correct + prior * PRIOR_WEIGHT) / (total + PRIOR_WEIGHT)

    acc = np.array([estimate(w) for w in worker_ids])
    # A worker estimated at or below chance carries no information either way.
    return np.clip(acc, chance + 1e-3, 0.99)


def decide(session: Session, task: AnyRow, project: AnyRow, n_responses: int) -> Decision:
    found = _classes(project)
    assert found is not None
    key, labels = found
    if n_responses < task.overlap:
        return Decision()
    answers = session.execute(
        select(Response.worker_id, Response.answer)
        .where(Response.task_id == task.id, Response.counts).order_by(Response.id)).all()
    index = {label: i for i, label in enumerate(labels)}
    codes = [index[a[key]] for _, a in answers]
    acc = worker_accuracies(session, project.id, [w for w, _ in answers], 1.0 / len(labels))
    post = one_coin_posterior(codes, acc, len(labels))
    best = int(post.argmax())
    result = {"answer": {key: labels[best]}, "confidence": round(float(post[best]), 6),
              "method": METHOD, "n_responses": len(answers)}
    if post[best] >= float(project.quality["target_confidence"]):
        return Decision(result=result)
    if len(answers) < int(project.quality.get("max_overlap", task.overlap)):
        return Decision(overlap=len(answers) + 1)
    return Decision(result=result, review=True)
