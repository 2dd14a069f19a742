"""Whether a worker's answer matches an expected one: gold, training and review checks.

Both answers are in their kind's normalized form. Categorical answers must agree exactly;
spans, boxes, text and ratings earn partial credit (``answer_score``, in [0, 1]) and match
when it clears the project's bar (``answers_match``). The bars default to ``MatchPolicy()``
and a project may override them under ``quality.match``; docs/quality.md gives the rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from assay.algorithms.similarity import box_f1, label_jaccard, span_f1, text_similarity


@dataclass(frozen=True)
class MatchPolicy:
    """The bars an answer must clear to count as right.

    ``min_f1`` applies to spans (character F1) and boxes (F1 of matched pairs);
    ``min_iou`` is the overlap a pair of boxes needs; ``min_similarity`` applies to text;
    ``min_jaccard`` to multi-label ``categorize``; ``rating_tolerance`` is how far a rating
    may be from the expected one, None meaning 10% of the scale, rounded to the nearest
    integer (``default_tolerance``).
    """

    min_f1: float = 0.8
    min_iou: float = 0.5
    min_similarity: float = 0.9
    min_jaccard: float = 1.0
    rating_tolerance: int | None = None

    @classmethod
    def from_quality(cls, quality: Mapping[str, Any] | None) -> MatchPolicy:
        """The policy of a project's ``quality`` object: defaults, then ``quality.match``."""
        given = (quality or {}).get("match") or {}
        return replace(cls(), **{k: v for k, v in given.items() if v is not None})


DEFAULT_POLICY = MatchPolicy()


def default_tolerance(low: int, high: int) -> int:
    """10% of the scale's range, rounded half up: 0 on 1-5 (exact), 1 on 1-7 and 1-10,
    10 on 0-100.

    >>> default_tolerance(1, 5), default_tolerance(1, 10), default_tolerance(0, 100)
    (0, 1, 10)
    """
    return (high - low + 5) // 10


def answer_score(kind: str, params: Mapping[str, Any], expected: Mapping[str, Any],
                 answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> float:
    """How much of the expected answer the answer gets right, in [0, 1] (1 = identical)."""
    return _MEASURES[kind](params, expected, answer, policy)[0]


def answers_match(kind: str, params: Mapping[str, Any], expected: Mapping[str, Any],
                  answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> bool:
    """Whether the answer counts as right against the expected answer under ``policy``."""
    return _MEASURES[kind](params, expected, answer, policy)[1]


Measure = tuple[float, bool]


def _clears(score: float, bar: float) -> bool:
    # A score computed as a ratio may land a rounding error below a bar it meets exactly
    # (4 of 5 characters against 0.8).
    return score >= bar - 1e-9


def _categorize(params: Mapping[str, Any], expected: Mapping[str, Any],
                answer: Mapping[str, Any], policy: MatchPolicy) -> Measure:
    if not params.get("multiple"):
        same = expected.get("label") == answer.get("label")
        return float(same), same
    score = label_jaccard(expected.get("labels", []), answer.get("labels", []))
    return score, _clears(score, policy.min_jaccard)


def _compare(params: Mapping[str, Any], expected: Mapping[str, Any],
             answer: Mapping[str, Any], policy: MatchPolicy) -> Measure:
    # Exact on every preference the expected answer states: the choice and each criterion
    # it judges. Strength is a worker's own sense of how clear the preference is, and is
    # not aggregated either, so it does not make an answer wrong.
    judged = [(expected.get("choice"), answer.get("choice"))]
    answered = answer.get("criteria") or {}
    judged += [(v, answered.get(k)) for k, v in (expected.get("criteria") or {}).items()]
    agreed = sum(want == got for want, got in judged)
    return agreed / len(judged), agreed == len(judged)


def _ratings(answer: Mapping[str, Any]) -> dict[str, Any]:
    return {"": answer["rating"]} if "rating" in answer else dict(answer.get("scores") or {})


def _rate(params: Mapping[str, Any], expected: Mapping[str, Any],
          answer: Mapping[str, Any], policy: MatchPolicy) -> Measure:
    low, high = params.get("min", 1), params.get("max", 5)
    tolerance = policy.rating_tolerance
    if tolerance is None:
        tolerance = default_tolerance(low, high)
    weights = {c["id"]: float(c.get("weight", 1)) for c in params.get("criteria") or []}
    want, got = _ratings(expected), _ratings(answer)
    if not want:
        return float(want == got), want == got
    total = credit = 0.0
    within = True
    for key, value in want.items():
        weight = weights.get(key, 1.0)
        total += weight
        if key not in got:
            within = False
            continue
        distance = abs(got[key] - value)
        credit += weight * max(0.0, 1.0 - distance / (high - low))
        # Rounded down, so that a half-point median (a reviewed result) accepts both
        # neighbours; whole-number ratings compare as |a - e| <= tolerance.
        within = within and math.floor(distance) <= tolerance
    return credit / total, within


def _spans(params: Mapping[str, Any], expected: Mapping[str, Any],
           answer: Mapping[str, Any], policy: MatchPolicy) -> Measure:
    def spans(value: Mapping[str, Any]) -> list[tuple[int, int, str]]:
        return [(s["start"], s["end"], s["label"]) for s in value.get("spans") or []]

    score = span_f1(spans(expected), spans(answer))
    return score, _clears(score, policy.min_f1)


def _boxes(params: Mapping[str, Any], expected: Mapping[str, Any],
           answer: Mapping[str, Any], policy: MatchPolicy) -> Measure:
    def boxes(value: Mapping[str, Any]) -> list[tuple[float, float, float, float, str]]:
        return [(b["x"], b["y"], b["x"] + b["w"], b["y"] + b["h"], b["label"])
                for b in value.get("boxes") or []]

    score = box_f1(boxes(expected), boxes(answer), min_iou=policy.min_iou)
    return score, _clears(score, policy.min_f1)


def _text(params: Mapping[str, Any], expected: Mapping[str, Any],
          answer: Mapping[str, Any], policy: MatchPolicy) -> Measure:
    score = text_similarity(str(expected.get("text", "")), str(answer.get("text", "")))
    return score, _clears(score, policy.min_similarity)


_MEASURES = {
    "categorize": _categorize,
    "compare": _compare,
    "rate": _rate,
    "spans": _spans,
    "boxes": _boxes,
    "text": _text,
}
