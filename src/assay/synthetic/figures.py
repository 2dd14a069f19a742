"""How people judged generated tasks: each check (one counted answer to a task that
``generate`` added) is ``accepted``, ``edited`` or ``rejected``, and the project's figures
are their counts, the accept rate and how much the edits changed. How one answer judges
a generated task is its kind's rule (:meth:`assay.kinds.Kind.synthetic_check`, written
down beside each kind):

- ``text`` (a task with the model's ``reply``): the answer's text equal to the reply
  (whitespace at the ends aside) accepts it, any other text edits it.
- ``chat``: a written ideal reply edits the model's reply; otherwise rubric scores whose
  mean lies below the middle of their scales reject it; otherwise it is accepted.
- ``rate``: a rating (or the mean of the scores) above the middle of the scale accepts the
  pair, below it rejects it; exactly the middle counts as neither.

An edit's *similarity* is ``1 - edit distance / longer length`` between the model's reply
and the person's (1: unchanged), the measure gold uses for text. Pure: task objects in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assay.kinds import get_kind


def check_of(kind: str, params: Mapping[str, Any], data: Mapping[str, Any],
             answer: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """One check's verdict (``accepted``, ``edited``, ``rejected`` or None) and, for an
    edit, its similarity to the model's reply: the kind's
    :meth:`~assay.kinds.Kind.synthetic_check`."""
    return get_kind(kind).synthetic_check(params, data, answer)


def figures(kind: str, params: Mapping[str, Any],
            task_objects: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The project's figures over its generated tasks (module docstring)."""
    generated = checked = 0
    counts = {"accepted": 0, "edited": 0, "rejected": 0}
    similarities: list[float] = []
    for task in task_objects:
        if not isinstance((task.get("metadata") or {}).get("synthetic"), dict):
            continue
        generated += 1
        for response in task.get("responses") or []:
            verdict, similarity = check_of(kind, params, task.get("data") or {},
                                           response.get("answer") or {})
            if verdict is None:
                continue
            checked += 1
            counts[verdict] += 1
            if similarity is not None:
                similarities.append(similarity)
    return {"generated": generated, "checks": checked, **counts,
            "accept_rate": round(counts["accepted"] / checked, 6) if checked else None,
            "mean_edit_similarity": (round(sum(similarities) / len(similarities), 6)
                                     if similarities else None)}
