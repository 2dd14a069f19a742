"""Settling finished tasks again after a refit, with what it learned about the workers.

**Adaptive overlap.** A task completes as soon as its posterior reaches the target, judged
with the worker models of that moment. Early in a project those are the crowd prior and a
few answers each, so a task settled by two workers who later prove careless, or by workers
who say "positive" to everything, was settled on too little. After every refit
(:mod:`assay.quality.refit`) each completed task that adaptive overlap decided is judged
again with the new models, from the same answers:

- its best label now below the target and fewer than ``max_overlap`` answers: the task
  goes back to the pool asking for one more answer (it completes again, with its callback,
  when the rule is satisfied);
- a different best label: the result changes (method ``confusion_posterior``) and the
  callback fires again; below the target at ``max_overlap`` it is flagged for review.

**Fixed overlap.** A task completes at ``overlap`` answers with the kind's interim
plurality. After every refit, a task whose Dawid-Skene label (the refit's own fit, the
default of ``assay aggregate``) differs from its result takes it where
:func:`assay.algorithms.settle.may_overrule` allows (two answers or more, a label one of
its workers gave, a posterior of at least 0.5): method ``dawid_skene``, the fit's
posterior as confidence, the callback again. Tasks where the two agree keep their
plurality result (no write, no callback). Nothing is settled again before the fit covers
``MODEL_MIN_TASKS`` tasks.

A task waiting for review (``review_status: "pending"``) is never reopened, but its
interim result may change while no reviewer holds it (many projects have no reviewer, and
then it is the result); a reviewed task is the reviewers'. A task whose answers changed
since the fit (a new answer, a paused worker) is left to the next refit. A project that
needs completion to be final sets ``quality.resettle: false``. The replay
(``bench/quality/adaptive_replay.py``, rule ``confusion_resettle``) measures what the
adaptive part buys: docs/algorithms.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from assay.algorithms import Answers
from assay.algorithms.answers import Encoding
from assay.algorithms.posterior import FloatArray, task_posteriors
from assay.algorithms.settle import may_overrule
from assay.db.models import Project, Task
from assay.quality import adaptive, repository
from assay.quality.labels import categorical_labels
from assay.tasks.results import TaskResult, reopen_task, replace_result

ADAPTIVE_METHODS = (adaptive.METHOD, adaptive.CONFUSION_METHOD)
DAWID_SKENE = "dawid_skene"
FIXED_METHODS = ("plurality", DAWID_SKENE)  # the interim rule's, and this module's
LOCK_CHUNK = 500


@dataclass(frozen=True)
class Resettled:
    reopened: int = 0
    relabelled: int = 0


def candidates(session: Session, org_id: str, project_id: str) -> list[Any]:
    """The project's completed live tasks not yet reviewed, as rows of (id, result,
    overlap, review_status, review_holder, review_until); read from any snapshot, since
    :func:`resettle` checks each again under its lock."""
    return repository.list_settled_tasks(session, org_id, project_id)


def _held(holder: str | None, until: datetime | None, now: datetime) -> bool:
    return holder is not None and until is not None and until > now


def resettle(session: Session, project: Project, answers: Answers, encoding: Encoding,
             fitted: FloatArray, now: datetime, settled: list[Any]) -> Resettled:
    """Judge the project's settled tasks again after a refit. ``answers``/``encoding``: the
    counted live answers the refit fitted, coded in the project's label order; ``fitted``:
    the refit's Dawid-Skene posteriors, a row per task of ``encoding``; ``settled``: the
    :func:`candidates`, read with the fit."""
    found = categorical_labels(project)
    if found is None or not project.quality.get("resettle", True):
        return Resettled()
    key, labels = found
    if adaptive.applies(project):
        if project.crowd_model is None:
            return Resettled()
        session.flush()  # the workers' stored counts, as this refit left them
        model = adaptive.confusions(session, project.org_id, project.id, project.crowd_model,
                                    key, labels, list(encoding.workers))
        post = task_posteriors(answers, model.confusions, model.prior)
        methods, method, fixed = ADAPTIVE_METHODS, adaptive.CONFUSION_METHOD, False
    else:
        post = fitted
        methods, method, fixed = FIXED_METHODS, DAWID_SKENE, True
    best = post.argmax(axis=1)
    confidence = post.max(axis=1)
    n_answers = np.bincount(answers.task, minlength=answers.n_tasks)
    allowed = may_overrule(answers, post) if fixed else np.ones(answers.n_tasks, dtype=bool)
    row = {task_id: i for i, task_id in enumerate(encoding.tasks)}
    target = float(project.quality["target_confidence"])
    plans: dict[str, tuple[int, str | None, TaskResult | None]] = {}
    for task_id, result, overlap, review_status, holder, until in settled:
        i = row.get(task_id)
        if i is None or not result or result.get("method") not in methods:
            continue
        n = int(n_answers[i])
        if _held(holder, until, now):
            continue  # a reviewer is looking at it
        label = labels[int(best[i])]
        if (not fixed and review_status is None and confidence[i] < target
                and n < int(project.quality.get("max_overlap", overlap))):
            plans[task_id] = (n, review_status, None)  # reopen for one more answer
        elif label != (result.get("answer") or {}).get(key) and allowed[i]:
            plans[task_id] = (n, review_status,
                              TaskResult({**(result.get("answer") or {}), key: label},
                                         round(float(confidence[i]), 6), method, n))
    # Lock every task to change, in id order, before touching any batch: a worker's
    # submit locks its task and then its batch, so taking a batch between task locks
    # could deadlock with it.
    ids = sorted(plans)
    locked: list[Task] = []
    for start in range(0, len(ids), LOCK_CHUNK):
        locked.extend(repository.lock_tasks(session, project.org_id,
                                            ids[start:start + LOCK_CHUNK]))
    reopened = relabelled = 0
    for task in locked:
        n, review_status, result = plans[task.id]
        current = task.result or {}
        if (task.status != "completed" or task.n_responses != n
                or task.review_status != review_status
                or _held(task.review_holder, task.review_until, now)
                or current.get("method") not in methods
                or (result is not None
                    and (current.get("answer") or {}).get(key) == result.answer[key])):
            continue  # changed since the fit: the next refit sees it
        if result is None:
            reopen_task(session, task, now, overlap=n + 1)
            reopened += 1
            continue
        replace_result(session, task, project, result, now)
        if result.confidence is not None and result.confidence < target:
            task.review_status = "pending"
        relabelled += 1
    session.flush()
    return Resettled(reopened, relabelled)
