"""Adaptive overlap: after every answer, is this task settled, or does it need another
worker?

Applies when the project sets ``target_confidence`` above 0 (otherwise a task completes at
``overlap`` answers by the kind's rule), to the categorical kinds (single-label
``categorize``, ``compare``) as follows, and to ``spans``, ``boxes`` and ``text`` on their
consensus (the last paragraph). Once the background refit (:mod:`assay.quality.refit`) has stored
the crowd's counts, the task's posterior is the confusion-matrix one
(:func:`assay.algorithms.posterior.confusion_posterior`, ``method: "confusion_posterior"``)
with the refit's class prior; each worker's confusion matrix is the Dirichlet mean
(:func:`assay.algorithms.posterior_workers.worker_confusions`) of:

- their checked (gold) answers, each a count at [expected label, answered label];
- the refit's *leave-one-out* confusion counts of their live answers (stored from
  ``MODEL_MIN_ANSWERS`` answers on);
- a prior worth ``CONFUSION_STRENGTH`` answers a row at the crowd's confusion (every
  worker's leave-one-out counts together, itself smoothed with ``PRIOR_WEIGHT`` answers a
  row toward the one-coin matrix of ``PRIOR_ACCURACY``).

Stored counts name the labels they refer to and are carried over to the project's current
labels: a label added since the refit has no count yet, so its rows and columns come from
the crowd prior (and its class prior is small until the next refit sees it).

Before the first refit the posterior is the one-coin one
(:func:`assay.algorithms.posterior.one_coin_posterior`, ``method: "one_coin_posterior"``)
with each worker's accuracy the mean of a Beta belief (:func:`worker_accuracies`, also used
by the quality report) adding up their gold record, the refit's leave-one-out accuracy as
that many expected right answers out of ``model_answers``, and a prior worth
``PRIOR_WEIGHT`` answers at the crowd's accuracy (``PRIOR_ACCURACY`` before any refit).

So a newcomer counts as an average member of this crowd, not as a good worker, and a worker
seen on many tasks counts as themselves. The task completes once it has ``overlap``
answers and its best label reaches the target; otherwise it asks one more worker, up to
``max_overlap``, and then completes with its best label and ``review_status: "pending"``.

Kinds whose answers are not one label among a few (``spans``, ``boxes``, ``text``: the
kinds with ``Kind.adaptive_consensus``) are settled the same way on their consensus: the
kind's result and its confidence (how well the answers agree with it, docs/kinds.md)
against the target; a single answer has nothing to agree with and never meets it.

The replay (``bench/quality/adaptive_replay.py``, rule ``confusion_loo``) runs this rule
through the same :func:`~assay.algorithms.posterior_workers.worker_confusions`; its
figures and calibration are in docs/algorithms.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from assay.db.models import Project
from assay.db.types import AnyRow
from assay.kinds import get_kind
from assay.quality import repository
from assay.quality.labels import categorical_labels
from assay.tasks.results import TaskResult

if TYPE_CHECKING:
    import numpy as np

    from assay.algorithms.posterior_workers import WorkerConfusions

PRIOR_ACCURACY = 0.7  # the crowd's accuracy before the first refit
PRIOR_WEIGHT = 4.0    # the crowd prior's weight, in answers
MAX_ACCURACY = 0.99   # nobody is trusted beyond this, however long their record
CONFUSION_STRENGTH = 2.0  # a worker's crowd prior, in answers per confusion row
METHOD = "one_coin_posterior"
CONFUSION_METHOD = "confusion_posterior"


@dataclass(frozen=True)
class Decision:
    result: TaskResult | None = None  # set: complete with this result
    review: bool = False                   # complete, but flag for review
    overlap: int | None = None             # set: ask for this many answers instead


def classes(project: AnyRow | Project) -> tuple[str, list[str]] | None:
    """The answer key and label set where adaptive overlap applies, else None."""
    if float(project.quality.get("target_confidence", 0.0)) <= 0.0:
        return None
    return categorical_labels(project)


def applies(project: AnyRow | Project) -> bool:
    """Whether adaptive overlap decides the project's tasks: it sets a target confidence,
    and its kind is categorical (the posterior) or settles on its consensus confidence."""
    if float(project.quality.get("target_confidence", 0.0)) <= 0.0:
        return False
    return classes(project) is not None or get_kind(project.kind).adaptive_consensus


def crowd_accuracy(expected_right: float, answers: float, chance: float) -> float:
    """The crowd's accuracy: expected right answers over answers, kept in
    [chance + 0.01, MAX_ACCURACY]; ``PRIOR_ACCURACY`` when there are none yet.

    >>> crowd_accuracy(0.0, 0.0, 0.5), crowd_accuracy(60.0, 100.0, 0.5)
    (0.7, 0.6)
    """
    if answers <= 0:
        return PRIOR_ACCURACY
    return min(max(expected_right / answers, chance + 0.01), MAX_ACCURACY)


def worker_accuracies(session: Session, org_id: str, project_id: str, worker_ids: list[str],
                      chance: float) -> np.ndarray:
    """Each worker's accuracy: the Beta mean of their gold record plus their model record
    (leave-one-out accuracy times answers, from the refit) with a prior of ``PRIOR_WEIGHT``
    answers at the crowd's accuracy, kept in (chance, ``MAX_ACCURACY``]."""
    import numpy as np

    from assay.algorithms.posterior_workers import accuracy_means

    rows = repository.list_worker_records(session, org_id, project_id, worker_ids)
    right_sum, answer_sum = repository.sum_model_records(session, org_id, project_id)
    prior = crowd_accuracy(right_sum, answer_sum, chance)
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


def gold_counts(session: Session, org_id: str, project_id: str, key: str, labels: list[str],
                worker_ids: list[str]) -> np.ndarray:
    """``counts[i, k, l]``: how often worker ``worker_ids[i]`` answered ``l`` on a gold task
    whose expected answer is ``k`` (labels no longer in ``labels`` are left out)."""
    import numpy as np

    index = {label: i for i, label in enumerate(labels)}
    row = {w: i for i, w in enumerate(worker_ids)}
    counts = np.zeros((len(worker_ids), len(labels), len(labels)))
    for worker_id, answer, expected in repository.list_gold_answers(session, org_id,
                                                                   project_id, worker_ids):
        truth, given = (expected or {}).get(key), answer.get(key)
        if truth in index and given in index:
            counts[row[worker_id], index[truth], index[given]] += 1
    return counts


def confusions(session: Session, org_id: str, project_id: str, crowd_model: dict[str, Any],
               key: str, labels: list[str], worker_ids: list[str]) -> WorkerConfusions:
    """Each worker's confusion matrix (in ``labels`` order) and the class prior, from the
    refit's stored counts (``crowd_model`` and each worker's ``model_confusion``) plus
    their gold answers."""
    from assay.algorithms.posterior_workers import aligned_counts, worker_confusions

    stored = repository.list_model_confusions(session, org_id, project_id, worker_ids)
    counts = gold_counts(session, org_id, project_id, key, labels, worker_ids)
    for i, worker_id in enumerate(worker_ids):
        if (mine := stored.get(worker_id)) is not None:
            counts[i] += aligned_counts(mine["counts"], mine["labels"], labels)
    return worker_confusions(
        counts,
        aligned_counts(crowd_model["confusion_counts"], crowd_model["labels"], labels),
        aligned_counts(crowd_model["class_counts"], crowd_model["labels"], labels),
        CONFUSION_STRENGTH, PRIOR_WEIGHT, PRIOR_ACCURACY)


def decide(session: Session, task: AnyRow, project: AnyRow, n_responses: int,
           resolve: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None
           ) -> Decision:
    """``resolve``: the answers in the form the kind aggregates (a conversation's answers
    with their candidates' models; :meth:`assay.kinds.base.Kind.resolve_answer`)."""
    from assay.algorithms.posterior import confusion_posterior, one_coin_posterior

    if n_responses < task.overlap:
        return Decision()
    found = classes(project)
    if found is None:
        return _by_consensus(session, task, project, resolve)
    key, labels = found
    answers = repository.list_task_answers(session, task.org_id, task.id)
    index = {label: i for i, label in enumerate(labels)}
    codes = [index[a[key]] for _, a in answers]
    workers = [w for w, _ in answers]
    crowd_model = repository.get_crowd_model(session, project.org_id, project.id)
    if crowd_model is not None:
        model = confusions(session, project.org_id, project.id, crowd_model, key, labels,
                           workers)
        post = confusion_posterior(codes, model.confusions, model.prior)
        method = CONFUSION_METHOD
    else:
        acc = worker_accuracies(session, project.org_id, project.id, workers,
                                1.0 / len(labels))
        post = one_coin_posterior(codes, acc, len(labels))
        method = METHOD
    best = int(post.argmax())
    result = TaskResult({key: labels[best]}, round(float(post[best]), 6), method,
                        len(answers))
    return _settle(task, project, result, float(post[best]))


def _by_consensus(session: Session, task: AnyRow, project: AnyRow,
                  resolve: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None
                  ) -> Decision:
    """Decide a task of a kind that settles on its consensus (spans, boxes, text, chat):
    the kind's result and its confidence against the target. The confidence says how well
    the answers agree, so one answer alone, agreeing with itself, never meets the target."""
    answers = [a for _, a in repository.list_task_answers(session, task.org_id, task.id)]
    if resolve is not None:
        answers = resolve(answers)
    consensus = get_kind(project.kind).aggregate(project.params, answers)
    result = TaskResult(consensus.answer, consensus.confidence, consensus.method,
                        len(answers))
    agreement = (consensus.confidence or 0.0) if len(answers) > 1 else 0.0
    return _settle(task, project, result, agreement)


def _settle(task: AnyRow, project: AnyRow, result: TaskResult, confidence: float) -> Decision:
    """Complete at the target; below it, ask one more worker up to ``max_overlap``, and
    then complete for review."""
    if confidence >= float(project.quality["target_confidence"]):
        return Decision(result=result)
    if result.n_responses < int(project.quality.get("max_overlap", task.overlap)):
        return Decision(overlap=result.n_responses + 1)
    return Decision(result=result, review=True)
