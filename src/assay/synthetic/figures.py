"""How people judged generated tasks: each check (one counted answer to a task that
``generate`` added) is ``accepted``, ``edited`` or ``rejected``, and the project's figures
are their counts, the accept rate and how much the edits changed.

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

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assay.algorithms.text import levenshtein_similarity


def _unit(value: float, low: float, high: float) -> float:
    return (value - low) / (high - low) if high > low else 0.5


def _rubric_unit(rubric: Sequence[Mapping[str, Any]], scores: Mapping[str, Any]) -> float | None:
    units = [_unit(float(scores[c["id"]]), float(c.get("min", 1)), float(c.get("max", 5)))
             for c in rubric if isinstance(scores.get(c["id"]), int | float)]
    return sum(units) / len(units) if units else None


def check_of(kind: str, params: Mapping[str, Any], data: Mapping[str, Any],
             answer: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """One check's verdict (``accepted``, ``edited``, ``rejected`` or None) and, for an
    edit, its similarity to the model's reply."""
    if kind == "text":
        reply = data.get("reply")
        if not isinstance(reply, str):
            return None, None
        text = str(answer.get("text", ""))
        if text.strip() == reply.strip():
            return "accepted", None
        return "edited", levenshtein_similarity(reply, text)
    if kind == "chat":
        given = data.get("candidates") or []
        turns = answer.get("turns") or []
        if not given or not turns:
            return None, None
        turn = turns[0]
        if turn.get("ideal"):
            return "edited", levenshtein_similarity(str(given[0]["content"]), turn["ideal"])
        units = [u for s in (turn.get("scores") or {}).values()
                 if (u := _rubric_unit(params.get("rubric") or [], s)) is not None]
        if units and sum(units) / len(units) < 0.5:
            return "rejected", None
        return "accepted", None
    if kind == "rate":
        low, high = float(params.get("min", 1)), float(params.get("max", 5))
        if "rating" in answer:
            unit: float | None = _unit(float(answer["rating"]), low, high)
        else:
            rubric = [{**c, "min": low, "max": high} for c in params.get("criteria") or []]
            unit = _rubric_unit(rubric, answer.get("scores") or {})
        if unit is None or unit == 0.5:
            return None, None
        return ("accepted" if unit > 0.5 else "rejected"), None
    return None, None


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
