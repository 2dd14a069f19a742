"""``rate`` tasks as post-training data and as generated items people check.

- Judged turn: a task whose data holds ``prompt`` and ``completion`` (or ``messages``
  ending with the assistant's reply) gives one candidate, scored by each answer (its
  ``rating``, else its rubric ``scores`` on the project's scale).
- A generated item: ``{"prompt", "completion"}`` (the model's reply is required); people
  score the pair.
- A check of it: a rating (or the mean of the scores) above the middle of the scale
  accepts the pair, below it rejects it; exactly the middle counts as neither.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from assay.algorithms.judged_turns import (
    JudgedTurn,
    Judgment,
    Score,
    counted_answers,
    messages_of,
    rubric_score,
    rubric_unit,
    text_of,
    unit_of,
    user_turn,
)


def rate_turns(task: Mapping[str, Any], params: Mapping[str, Any]) -> Iterator[JudgedTurn]:
    """The one judged turn of a ``rate`` task whose data holds a prompt and its reply."""
    data = task.get("data") or {}
    if "prompt" in data and "completion" in data:
        prompt, reply = user_turn(data["prompt"]), text_of(data["completion"])
    elif (isinstance(data.get("messages"), list) and data["messages"]
          and data["messages"][-1].get("role") == "assistant"):
        *head, last = messages_of(data["messages"])
        prompt, reply = tuple(head), last["content"]
    else:
        return
    low, high = float(params.get("min", 1)), float(params.get("max", 5))
    rubric = [{**c, "min": low, "max": high} for c in params.get("criteria") or []]
    judgments = []
    for answer in counted_answers(task):
        if "rating" in answer:
            value = float(answer["rating"])
            score = Score(value, (value - low) / (high - low))
        else:
            score = rubric_score(rubric, answer.get("scores") or {})
        judgments.append(Judgment(scores={"reply": score}))
    if judgments:
        yield JudgedTurn(prompt=prompt, candidates={"reply": reply},
                         judgments=tuple(judgments))


def synthetic_check(params: Mapping[str, Any],
                    answer: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """One check of a generated ``rate`` item (module docstring)."""
    low, high = float(params.get("min", 1)), float(params.get("max", 5))
    if "rating" in answer:
        unit: float | None = unit_of(float(answer["rating"]), low, high)
    else:
        rubric = [{**c, "min": low, "max": high} for c in params.get("criteria") or []]
        unit = rubric_unit(rubric, answer.get("scores") or {})
    if unit is None or unit == 0.5:
        return None, None
    return ("accepted" if unit > 0.5 else "rejected"), None
