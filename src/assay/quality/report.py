"""``GET /v1/projects/{id}/quality``: how much the crowd agrees, what the model thinks of
each worker and each class, and whether reported confidences hold up on gold.

Computed on request from the project's counted answers (categorical kinds): agreement by
percent agreement, Fleiss' kappa and Krippendorff's alpha (nominal); a Dawid-Skene fit for
each worker's estimated confusion matrix and the class priors; and a calibration table
that scores the same posterior adaptive overlap uses against the gold answers; and, where
workers were shown suggestions, accuracy and agreement with the suggestion with and without
it (:mod:`assay.quality.anchoring`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.algorithms import (
    NoAnswersError,
    UndefinedStatisticError,
    dawid_skene,
    encode_answers,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from assay.algorithms.posterior import one_coin_posterior
from assay.projects import service as projects
from assay.quality import repository
from assay.quality.adaptive import worker_accuracies
from assay.quality.anchoring import suggestion_figures
from assay.quality.labels import categorical_labels

BINS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


def _safe(fn: Any, *args: Any) -> float | None:
    try:
        value = float(fn(*args))
    except (UndefinedStatisticError, NoAnswersError):  # e.g. every task has one answer
        return None
    return None if np.isnan(value) else round(value, 6)


def _calibration(session: Session, project: Any, key: str,
                 labels: list[str]) -> list[dict[str, Any]]:
    rows = repository.list_gold_answer_rows(session, project.org_id, project.id)
    by_task: dict[str, list[Any]] = {}
    for row in rows:
        by_task.setdefault(row.task_id, []).append(row)
    index = {label: i for i, label in enumerate(labels)}
    scored: list[tuple[float, bool]] = []
    for answers in by_task.values():
        acc = worker_accuracies(session, project.org_id, project.id,
                                [a.worker_id for a in answers], 1.0 / len(labels))
        post = one_coin_posterior([index[a.answer[key]] for a in answers], acc, len(labels))
        truth = index[answers[0].expected_answer[key]]
        scored.append((float(post.max()), int(post.argmax()) == truth))
    table = []
    for low, high in zip((0.0, *BINS), BINS, strict=False):
        hits = [(c, ok) for c, ok in scored if low <= c < high or (high == 1.0 and c == 1.0)]
        if hits:
            table.append({"from": low, "to": high, "tasks": len(hits),
                          "confidence": round(float(np.mean([c for c, _ in hits])), 4),
                          "accuracy": round(float(np.mean([ok for _, ok in hits])), 4)})
    return table


def quality_report(session: Session, who: Requester, project_id: str) -> dict[str, Any]:
    project = projects.get_project(session, who, project_id)
    report: dict[str, Any] = {"project": project.id, "kind": project.kind, "n_tasks": 0,
                              "n_answers": 0, "agreement": None, "model": None,
                              "workers": [], "classes": [], "calibration": [],
                              "suggestions": None}
    found = categorical_labels(project)
    if found is None:
        report["note"] = "agreement and models apply to categorical kinds for now"
        return report
    key, labels = found
    rows = repository.list_counted_live_answers(session, project.org_id, project.id)
    report["calibration"] = _calibration(session, project, key, labels)
    report["suggestions"] = suggestion_figures(session, project, key, labels)
    if not rows:
        return report
    answers, encoding = encode_answers([r.task_id for r in rows], [r.worker_id for r in rows],
                                       [r.answer[key] for r in rows], classes=labels)
    report["n_tasks"], report["n_answers"] = answers.n_tasks, int(answers.task.size)
    report["agreement"] = {
        "percent": _safe(percent_agreement, answers),
        "fleiss_kappa": _safe(fleiss_kappa, answers),
        "krippendorff_alpha": _safe(krippendorff_alpha, answers),
    }
    fit = dawid_skene(answers)
    report["model"] = {"method": "dawid_skene", "iterations": fit.iterations,
                       "converged": fit.converged}
    per_worker = np.bincount(answers.worker, minlength=answers.n_workers)
    accuracy = fit.worker_accuracies
    report["workers"] = [
        {"worker_id": worker_id, "answers": int(per_worker[w]),
         "estimated_accuracy": round(float(accuracy[w]), 4),
         "confusion": np.round(fit.confusion[w], 4).tolist()}
        for w, worker_id in enumerate(encoding.workers)
    ]
    weights = per_worker / per_worker.sum()
    recall = np.einsum("w,wkk->k", weights, fit.confusion)
    report["classes"] = [
        {"label": label, "prior": round(float(fit.class_priors[k]), 4),
         "recall": round(float(recall[k]), 4)}
        for k, label in enumerate(encoding.classes)
    ]
    return report
