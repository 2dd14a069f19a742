"""Suspects: completed tasks whose result is probably wrong, and sending them to review.

Two miners (``algorithms/label_issues.py``):

- ``worker_models`` — the project's Dawid-Skene fit, as the background refit computes it
  (:func:`assay.quality.refit.prepare_refit`): a result whose label has a posterior below
  0.5, or that a confident worker (leave-one-out accuracy at least 0.9 on 10 answers or
  more) contradicted;
- ``predictions`` — confident learning on the uploaded model predictions.

A task is listed once, with the miner that gives it the higher score (``sources`` names
both when both flag it). Tasks already waiting for review, or sent as suspects before, are
not listed again. Sending sets the tasks' ``review_status`` to ``pending`` (the review
queue takes them like any other) and records each with its result's label at that time;
when a reviewer fixes the result to another label, the suspect was a real error. The share
of reviewed suspects that were is the miner's precision, a figure of the project.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.algorithms.label_issues import confident_learning_issues, worker_model_issues
from assay.auditlog import service as auditlog
from assay.curation import repository
from assay.curation.predictions import project_labels
from assay.curation.schemas import SuspectsReviewIn
from assay.errors import InvalidInput
from assay.projects import service as projects
from assay.quality.refit import prepare_refit

SOURCES = ("worker_models", "predictions")


def _label_of(result: Any, key: str) -> Any:
    answer = (result or {}).get("answer")
    return answer.get(key) if isinstance(answer, dict) else None


CACHED = 32
"""Projects (and sources) whose suspects a process keeps, the most recently computed."""
_cache: OrderedDict[tuple[str, str, str], tuple[tuple[Any, ...], list[dict[str, Any]]]] = \
    OrderedDict()
_cache_lock = threading.Lock()
computed = 0
"""How many times this process computed suspects rather than reusing them (for tests)."""


def find_suspects(session: Session, who: Requester, project_id: str, *, source: str = "all",
                  min_score: float = 0.0) -> list[dict[str, Any]]:
    """The project's current suspects, by task id. Computing them reads every answer and
    fits the worker models, so a process keeps the last ``CACHED`` results, each with the
    marker of what it depends on (:func:`repository.suspects_marker`, plus the project's
    own settings), and computes again only when that changed."""
    global computed
    project = projects.get_project(session, who, project_id)
    key = (who.org_id, project.id, source)
    marker = (project.updated_at, *repository.suspects_marker(session, who.org_id,
                                                              project.id))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == marker:
            _cache.move_to_end(key)
            return [dict(s) for s in hit[1] if s["score"] >= min_score]
    found = _compute(session, project, source)
    with _cache_lock:
        computed += 1
        _cache[key] = (marker, found)
        _cache.move_to_end(key)
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return [dict(s) for s in found if s["score"] >= min_score]


def _compute(session: Session, project: Any, source: str) -> list[dict[str, Any]]:
    """Every suspect of the project by ``source`` (any score), by task id."""
    key, labels = project_labels(project)
    code = {label: i for i, label in enumerate(labels)}
    sent = {row.task_id for row in repository.list_sent_suspects(session, project.org_id,
                                                                  project.id)}
    candidates: dict[str, int] = {}
    for row in repository.list_completed_results(session, project.org_id, project.id):
        label = _label_of(row.result, key)
        if row.review_status != "pending" and row.id not in sent and label in code:
            candidates[row.id] = code[label]
    found: dict[str, dict[str, Any]] = {}

    def add(task_id: str, src: str, reason: str, score: float, suggested: int) -> None:
        doc = {"task": task_id, "label": labels[candidates[task_id]],
               "suggested": labels[suggested], "score": round(score, 6), "source": src,
               "reason": reason, "sources": [src]}
        old = found.get(task_id)
        if old is None:
            found[task_id] = doc
        else:
            doc["sources"] = sorted({*old["sources"], src})
            if score > old["score"]:
                found[task_id] = doc
            else:
                old["sources"] = doc["sources"]

    if source in ("predictions", "all"):
        preds = repository.list_predictions(session, project.org_id, project.id)
        ids = [t for t in candidates if t in preds]
        if ids:
            probs = np.array([[float(preds[t].get(label, 0.0)) for label in labels]
                              for t in ids])
            issues = confident_learning_issues(probs, [candidates[t] for t in ids])
            for i, score, suggested, reason in zip(issues.index.tolist(),
                                                   issues.score.tolist(),
                                                   issues.suggested.tolist(), issues.reason,
                                                   strict=True):
                add(ids[i], "predictions", reason, score, suggested)
    if source in ("worker_models", "all"):
        fit = prepare_refit(session, project.org_id, project.id)
        if fit is not None and fit.answers is not None and fit.encoding is not None \
                and fit.posteriors is not None and fit.counts is not None \
                and list(fit.labels) == labels:
            tasks = list(fit.encoding.tasks)
            result = [candidates.get(t, -1) for t in tasks]
            totals = fit.counts.sum(axis=(1, 2))
            right = np.trace(fit.counts, axis1=1, axis2=2)
            accuracy = np.divide(right, totals, out=np.zeros_like(right), where=totals > 0)
            answers = fit.answers
            issues = worker_model_issues(fit.posteriors, result, answers.task, answers.worker,
                                         answers.label, accuracy, totals)
            for i, score, suggested, reason in zip(issues.index.tolist(),
                                                   issues.score.tolist(),
                                                   issues.suggested.tolist(), issues.reason,
                                                   strict=True):
                add(tasks[i], "worker_models", reason, score, suggested)
    return [found[t] for t in sorted(found)]


def send_to_review(session: Session, who: Requester, project_id: str, body: SuspectsReviewIn,
                   now: datetime) -> dict[str, Any]:
    """Send suspects to the review queue in one call: those named, or every current one of
    ``source`` from ``min_score``. A named task that is not a current suspect is a 422
    naming its place in the list."""
    current = {s["task"]: s for s in find_suspects(session, who, project_id,
                                                   source=body.source,
                                                   min_score=body.min_score)}
    if body.task_ids is not None:
        bad = [{"field": f"task_ids[{i}]", "message": "is not a current suspect of this "
                                                      "project"}
               for i, t in enumerate(body.task_ids) if t not in current]
        if bad:
            raise InvalidInput(f"{bad[0]['field']}: {bad[0]['message']}", {"fields": bad})
        chosen = list(dict.fromkeys(body.task_ids))
    else:
        chosen = list(current)
    project = projects.get_project(session, who, project_id)
    key, _ = project_labels(project)
    rows = []
    for task in repository.lock_completed_tasks(session, who.org_id, project.id, chosen):
        if task.review_status == "pending":
            continue
        task.review_status = "pending"
        task.review_holder = None
        task.review_until = None
        task.updated_at = now
        s = current[task.id]
        rows.append({"task_id": task.id, "source": s["source"], "reason": s["reason"],
                     "score": s["score"], "label_before": _label_of(task.result, key)})
    repository.add_suspects(session, who.org_id, project.id, rows, now)
    auditlog.record(session, who, "suspects.review", project.id, at=now)
    return {"project": project.id, "sent": [r["task_id"] for r in rows]}


def precision(session: Session, who: Requester, project_id: str) -> dict[str, Any]:
    """How many suspects were sent, reviewed, and real errors (the reviewer changed the
    result's label), in all and per source; ``precision`` = errors / reviewed."""
    project = projects.get_project(session, who, project_id)
    key, _ = project_labels(project)
    figures = {src: {"sent": 0, "reviewed": 0, "errors": 0} for src in SOURCES}
    for row in repository.list_sent_suspects(session, who.org_id, project.id):
        f = figures.setdefault(row.source, {"sent": 0, "reviewed": 0, "errors": 0})
        f["sent"] += 1
        if row.review_status in ("accepted", "fixed", "rejected"):
            f["reviewed"] += 1
            if row.review_status != "accepted" and \
                    _label_of(row.result, key) != row.label_before:
                f["errors"] += 1
    total = {k: sum(f[k] for f in figures.values()) for k in ("sent", "reviewed", "errors")}

    def share(f: dict[str, int]) -> dict[str, Any]:
        return {**f, "precision": round(f["errors"] / f["reviewed"], 4) if f["reviewed"]
                else None}

    return {**share(total), "by_source": {src: share(f) for src, f in figures.items()}}
