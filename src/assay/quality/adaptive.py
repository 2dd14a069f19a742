"""Adaptive overlap: after every answer, is this task settled, or does it need another
worker?

Applies to single-label ``categorize`` and to ``compare`` when the project sets
``target_confidence`` above 0 (otherwise a task completes at ``overlap`` answers by the
kind's interim rule). The task's posterior comes from the one-coin model
(:func:`assay.algorithms.posterior.one_coin_posterior`). Each worker's accuracy is the mean
of a Beta belief that adds up three kinds of evidence (:func:`worker_accuracies`):

- their checked (gold) answers, counted right or wrong;
- the background refit's *leave-one-out* accuracy on their live answers
  (:mod:`assay.quality.refit`), as that many expected right answers out of
  ``model_answers``;
- a prior worth ``PRIOR_WEIGHT`` answers at the crowd's accuracy: the answer-weighted mean
  of the project's model accuracies (``PRIOR_ACCURACY`` before the first refit).

So a newcomer counts as an average member of this crowd, not as a good worker, and a worker
seen on many tasks counts as themselves. The task completes once it has ``overlap``
answers and its best label reaches the target; otherwise it asks one more worker, up to
``max_overlap``, and then completes with its best label and ``review_status: "pending"``.

The replay (``bench/quality/adaptive_replay.py``, rule ``one_coin_loo``) runs this rule;
its figures and calibration are in docs/algorithms.md. A confusion-matrix posterior with
the refit's class priors does better still, but needs a confusion matrix per worker and the
class priors stored by the refit (see docs/quality.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.algorithms.posterior import one_coin_posterior
from assay.algorithms.posterior_workers import accuracy_means
from assay.db.models import ProjectWorker, Response
from assay.db.types import AnyRow
from assay.quality.labels import categorical_labels

PRIOR_ACCURACY = 0.7  # the crowd's accuracy before the first refit
PRIOR_WEIGHT = 4.0    # the crowd prior's weight, in answers
MAX_ACCURACY = 0.99   # nobody is trusted beyond this, however long their record
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


def crowd_accuracy(expected_right: float, answers: float, chance: float) -> float:
    """The crowd's accuracy: expected right answers over answers, kept in
    [chance + 0.01, MAX_ACCURACY]; ``PRIOR_ACCURACY`` when there are none yet.

    >>> crowd_accuracy(0.0, 0.0, 0.5), crowd_accuracy(60.0, 100.0, 0.5)
    (0.7, 0.6)
    """
    if answers <= 0:
        return PRIOR_ACCURACY
    return float(np.clip(expected_right / answers, chance + 0.01, MAX_ACCURACY))


def worker_accuracies(session: Session, project_id: str, worker_ids: list[str],
                      chance: float) -> np.ndarray:
    """Each worker's accuracy: the Beta mean of their gold record plus their model record
    (leave-one-out accuracy times answers, from the refit) with a prior of ``PRIOR_WEIGHT``
    answers at the crowd's accuracy, kept in (chance, ``MAX_ACCURACY``]."""
    rows = {w: (c, n, m, mn) for w, c, n, m, mn in session.execute(
        select(ProjectWorker.worker_id, ProjectWorker.gold_correct, ProjectWorker.gold_answers,
               ProjectWorker.model_accuracy, ProjectWorker.model_answers)
        .where(ProjectWorker.project_id == project_id,
               ProjectWorker.worker_id.in_(worker_ids))).all()}
    right_sum, answer_sum = session.execute(
        select(func.sum(ProjectWorker.model_accuracy * ProjectWorker.model_answers),
               func.sum(ProjectWorker.model_answers))
        .where(ProjectWorker.project_id == project_id,
               ProjectWorker.model_accuracy.is_not(None))).one()
    prior = crowd_accuracy(float(right_sum or 0.0), float(answer_sum or 0.0), chance)
    right = np.zeros(len(worker_ids))
    total = np.zeros(len(worker_ids))
    for i, worker_id in enumerate(worker_ids):
        correct, checked, model, model_answers = rows.get(worker_id, (0, 0, None, 0))
        right[i], total[i] = correct or 0, checked or 0
        if model is not None and model_answers:
            right[i] += float(model) * model_answers
            total[i] += model_answers
    acc = accuracy_means(right, total, PRIOR_WEIGHT, prior)
    # A worker estimated at or below chance carries no information either way.
    return np.clip(acc, chance + 1e-3, MAX_ACCURACY)


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
