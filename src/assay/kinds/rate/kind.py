"""``rate``: the rules beside the shapes (``schemas.py``).

- The scale may widen later but not narrow, and a project cannot switch between having
  criteria and not (either would break answers already given). Criteria count as labels.
- Result: the median (per criterion for ``scores``). With an even number of answers the
  median may be a half point (``3.5``). Confidence is ``1 - 2 * MAD / (max - min)``, where
  MAD is the mean absolute deviation of the answers from the median: 1 when all agree, 0
  when they split evenly between the ends of the scale. With criteria, it is the
  weight-averaged confidence over the criteria.
- Match: within ``quality.match.rating_tolerance`` of the expected score (default 10% of
  the scale, rounded) on every criterion; partial credit ``1 - distance / (max - min)``,
  weight-averaged over the criteria.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from assay.algorithms.judged_turns import JudgedTurn
from assay.kinds.base import NO_AGGREGATE, Aggregate, FormField, Kind, removed_names
from assay.kinds.errors import FieldError, KindValidationError
from assay.kinds.matching import DEFAULT_POLICY, Match, MatchPolicy
from assay.kinds.rate import judged
from assay.kinds.rate.schemas import Params, RatingAnswer, scores_answer
from assay.kinds.schema import AnyObject


def _as_json_number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _agreement(mad: float, span: int) -> float:
    """``1 - 2 * MAD / span``, clamped to [0, 1] against rounding (MAD <= span / 2)."""
    return min(1.0, max(0.0, 1 - 2 * mad / span))


def default_tolerance(low: int, high: int) -> int:
    """10% of the scale's range, rounded half up: 0 on 1-5 (exact), 1 on 1-7 and 1-10,
    10 on 0-100.

    >>> default_tolerance(1, 5), default_tolerance(1, 10), default_tolerance(0, 100)
    (0, 1, 10)
    """
    return (high - low + 5) // 10


def _ratings(answer: Mapping[str, Any]) -> dict[str, Any]:
    return {"": answer["rating"]} if "rating" in answer else dict(answer.get("scores") or {})


class Rate(Kind):
    name = "rate"
    position = 50
    form_fields = (FormField("min", "Lowest score", "number"),
                   FormField("max", "Highest score", "number"),
                   FormField("rubric", "Rubric", "criteria", param="criteria"))
    params_schema = Params
    data_schema = AnyObject
    answer_schema = RatingAnswer
    synthetic_needs_reply = True

    # -- post-training and synthetic data (``judged.py``) ----------------------------------

    def judged_turns(self, params: Mapping[str, Any], task: Mapping[str, Any],
                     sources: Mapping[str, Mapping[str, Any]]) -> Iterator[JudgedTurn]:
        return judged.rate_turns(task, params)

    def synthetic_task(self, params: Mapping[str, Any], prompt: str, reply: str | None,
                       model_name: str) -> dict[str, Any]:
        return {"prompt": prompt, "completion": reply or ""}

    def synthetic_check(self, params: Mapping[str, Any], data: Mapping[str, Any],
                        answer: Mapping[str, Any]) -> tuple[str | None, float | None]:
        return judged.synthetic_check(params, answer)

    def answer_model(self, params: dict[str, Any]) -> type[BaseModel]:
        if params["criteria"]:
            return scores_answer(tuple(c["id"] for c in params["criteria"]))
        return RatingAnswer

    def check_params_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        errors = []
        if new["min"] > old["min"]:
            errors.append(FieldError(
                "params.min", "cannot be raised once the project exists (only lowered)"))
        if new["max"] < old["max"]:
            errors.append(FieldError(
                "params.max", "cannot be lowered once the project exists (only raised)"))
        if bool(old["criteria"]) != bool(new["criteria"]):
            errors.append(FieldError(
                "params.criteria", "cannot switch between a rating and criteria scores"))
        if errors:
            raise KindValidationError(errors)
        return removed_names([c["id"] for c in old["criteria"]],
                             [c["id"] for c in new["criteria"]])

    def rating_project(self, low: int, high: int,
                       criteria: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        return {"min": low, "max": high, "criteria": [dict(c) for c in criteria]}

    def rating_task(self, prompt: Any, reply: str | None) -> dict[str, Any]:
        return {"prompt": prompt, "reply": reply}

    def rating_scores(self, answer: Mapping[str, Any]) -> dict[str, float]:
        return {("rating" if key == "" else key): float(value)
                for key, value in _ratings(answer).items()}

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        return set(answer.get("scores", {}))

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        from assay.algorithms.simple import median_spread

        span = params["max"] - params["min"]
        if not params["criteria"]:
            ratings = [a["rating"] for a in answers if "rating" in a]
            if not ratings:
                return NO_AGGREGATE
            median, mad = median_spread(ratings)
            return Aggregate({"rating": _as_json_number(median)}, _agreement(mad, span),
                             "median")
        scores: dict[str, int | float] = {}
        weighted, total_weight = 0.0, 0.0
        for criterion in params["criteria"]:
            values = [a["scores"][criterion["id"]] for a in answers
                      if criterion["id"] in a.get("scores", {})]
            if values:
                median, mad = median_spread(values)
                scores[criterion["id"]] = _as_json_number(median)
                weighted += criterion["weight"] * _agreement(mad, span)
                total_weight += criterion["weight"]
        if not scores:
            return NO_AGGREGATE
        return Aggregate({"scores": scores}, weighted / total_weight, "median")

    def match(self, params: Mapping[str, Any], expected: Mapping[str, Any],
              answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> Match:
        low, high = params.get("min", 1), params.get("max", 5)
        tolerance = policy.rating_tolerance
        if tolerance is None:
            tolerance = default_tolerance(low, high)
        weights = {c["id"]: float(c.get("weight", 1)) for c in params.get("criteria") or []}
        want, got = _ratings(expected), _ratings(answer)
        if not want:
            return Match(float(want == got), want == got)
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
        return Match(credit / total, within)
