"""The quality report's anchoring figures: answers given with a suggestion shown against
answers to comparable tasks whose suggestion was held back (``curation.
suggestions_holdout``), on :mod:`assay.algorithms.anchoring`.

Each assignment records the pre-label it was suggested and whether it was shown
(``assignments.suggestion``, written by the work queue when it leases the task). An answer
is judged against the task's reviewed result when a reviewer accepted or fixed it
(``reference: "review"``), else against the label most of the task's *other* answers gave
(``"others"``; none when they tie). Suggestions are never on gold or training tasks, so gold
cannot be the reference here. The intervals count a task's answers as one cluster
(``effective_answers``: the answers' worth as independent ones).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from assay.algorithms.anchoring import GroupFigures, leave_one_out_plurality, suggestion_effect
from assay.quality import repository

LEVEL = 0.95


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _interval(ci: tuple[float, float] | None) -> list[float] | None:
    return None if ci is None else [round(ci[0], 4), round(ci[1], 4)]


def _group(g: GroupFigures, by_review: int) -> dict[str, Any]:
    return {"answers": g.answers, "effective_answers": round(g.agreement_n, 1),
            "agreed": g.agreed, "agreement": _share(g.agreement),
            "agreement_ci": _interval(g.agreement_ci), "judged": g.judged,
            "judged_by_review": by_review, "correct": g.correct,
            "accuracy": _share(g.accuracy), "accuracy_ci": _interval(g.accuracy_ci)}


def suggestion_figures(session: Session, project: Any, key: str,
                       labels: list[str]) -> dict[str, Any] | None:
    """The anchoring section of ``GET /v1/projects/{id}/quality``; None when no answer was
    given to a task with a suggestion."""
    rows = repository.list_suggested_task_answers(session, project.org_id, project.id)
    code = {label: i for i, label in enumerate(labels)}
    kept = [r for r in rows if isinstance(r.answer, dict) and r.answer.get(key) in code]
    recorded = [r.suggestion is not None and r.suggestion.get("label") in code for r in kept]
    if not any(recorded):
        return None
    tasks: dict[str, int] = {}
    task = np.array([tasks.setdefault(r.task_id, len(tasks)) for r in kept], dtype=np.int64)
    label = np.array([code[r.answer[key]] for r in kept], dtype=np.int64)
    reference = leave_one_out_plurality(task, label, len(labels))
    reviewed = repository.list_reviewed_suggested_results(session, project.org_id,
                                                          project.id)
    by_review = np.zeros(len(kept), dtype=bool)
    for i, r in enumerate(kept):
        answer = (reviewed.get(r.task_id) or {}).get("answer")
        if isinstance(answer, dict) and answer.get(key) in code:
            reference[i], by_review[i] = code[answer[key]], True
    chosen = np.array(recorded, dtype=bool)
    suggested = np.array([code[r.suggestion["label"]] if ok else -1
                          for r, ok in zip(kept, recorded, strict=True)], dtype=np.int64)
    shown = np.array([bool(ok and r.suggestion.get("shown")) for r, ok in
                      zip(kept, recorded, strict=True)], dtype=bool)
    effect = suggestion_effect(task[chosen], label[chosen], suggested[chosen], shown[chosen],
                               reference[chosen], level=LEVEL)
    shown_review = int((by_review & chosen & shown).sum())
    held_review = int((by_review & chosen & ~shown).sum())
    holdout = float((getattr(project, "curation", None) or {}).get("suggestions_holdout")
                    or 0.0)
    return {
        "holdout": holdout, "level": LEVEL,
        "reference": "the reviewed result where a reviewer accepted or fixed the task, else "
                     "the label most of the task's other answers gave",
        "shown": _group(effect.shown, shown_review),
        "held_out": _group(effect.held_out, held_review),
        "difference": {
            "agreement": _share(effect.agreement_difference),
            "agreement_ci": _interval(effect.agreement_difference_ci),
            "accuracy": _share(effect.accuracy_difference),
            "accuracy_ci": _interval(effect.accuracy_difference_ci),
            "copy_rate": _share(effect.copy_rate),
        },
    }
