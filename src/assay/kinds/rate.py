"""``rate``: score a task on an integer scale, overall or on several criteria.

- params: ``{"min": 1, "max": 5, "criteria": []}`` — integers with ``min < max``; each
  criterion is ``{"id": "fluency", "description": "...", "weight": 1}`` with a unique,
  non-blank ``id``, an optional ``description`` (default ``""``) and a ``weight > 0``
  (default 1). The scale may widen later but not narrow, and a project cannot switch between
  having criteria and not (either would break answers already given).
- data: any JSON object.
- answer: ``{"rating": 4}`` without criteria; ``{"scores": {"fluency": 4, ...}}`` with a
  score for every criterion and nothing else. Scores are integers in ``[min, max]``.
- aggregate: the median (per criterion for ``scores``). With an even number of answers the
  median may be a half point (``3.5``). Confidence is ``1 - 2 * MAD / (max - min)``, where MAD
  is the mean absolute deviation of the answers from the median: 1 when all agree, 0 when they
  split evenly between the ends of the scale. With criteria, it is the weight-averaged
  confidence over the criteria.
"""

from __future__ import annotations

from typing import Any

from assay.algorithms.simple import median_spread
from assay.kinds.base import NO_AGGREGATE, Aggregate, Kind, removed_names
from assay.kinds.checks import (
    MAX_LABELS,
    ErrorList,
    as_object,
    check_name,
    is_int,
    is_number,
    reject_unknown_keys,
)

CRITERION_KEYS = ("id", "description", "weight")


def _as_json_number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _agreement(mad: float, span: int) -> float:
    """``1 - 2 * MAD / span``, clamped to [0, 1] against rounding (MAD <= span / 2)."""
    return min(1.0, max(0.0, 1 - 2 * mad / span))


class Rate(Kind):
    name = "rate"

    def validate_params(self, params: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object({} if params is None else params, "params", errors)
        errors.raise_if_any()
        assert obj is not None
        reject_unknown_keys(obj, ("min", "max", "criteria"), "params", errors)
        low, high = obj.get("min", 1), obj.get("max", 5)
        for key, value in (("min", low), ("max", high)):
            if not is_int(value):
                errors.add(f"params.{key}", "must be an integer")
        if is_int(low) and is_int(high) and low >= high:
            errors.add("params.max", "must be greater than min")
        criteria = self._check_criteria(obj.get("criteria", []), errors)
        errors.raise_if_any()
        return {"min": low, "max": high, "criteria": criteria}

    @staticmethod
    def _check_criteria(value: Any, errors: ErrorList) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            errors.add("params.criteria", "must be a list of criteria")
            return []
        if len(value) > MAX_LABELS:
            errors.add("params.criteria", f"must contain at most {MAX_LABELS} criteria")
        criteria = []
        seen: set[str] = set()
        for i, item in enumerate(value):
            path = f"params.criteria[{i}]"
            if not isinstance(item, dict):
                errors.add(path, "must be a JSON object")
                continue
            reject_unknown_keys(item, CRITERION_KEYS, path, errors)
            criterion_id = None
            if "id" not in item:
                errors.add(f"{path}.id", "is required")
            else:
                criterion_id = check_name(item["id"], f"{path}.id", seen, errors)
            description = item.get("description", "")
            if not isinstance(description, str):
                errors.add(f"{path}.description", "must be a string")
            weight = item.get("weight", 1)
            if not is_number(weight) or weight <= 0:
                errors.add(f"{path}.weight", "must be a number > 0")
            criteria.append({"id": criterion_id, "description": description, "weight": weight})
        return criteria

    def validate_data(self, params: dict[str, Any], data: Any) -> None:
        errors = ErrorList()
        as_object(data, "data", errors)
        errors.raise_if_any()

    def validate_answer(self, params: dict[str, Any], data: Any, answer: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object(answer, "answer", errors)
        errors.raise_if_any()
        assert obj is not None
        ids = [c["id"] for c in params["criteria"]]
        key = "scores" if ids else "rating"
        reject_unknown_keys(obj, (key,), "answer", errors)
        if key not in obj:
            errors.add(f"answer.{key}", "is required")
        elif not ids:
            self._check_score(obj["rating"], params, "answer.rating", errors)
        elif (scores := as_object(obj["scores"], "answer.scores", errors)) is not None:
            reject_unknown_keys(scores, tuple(ids), "answer.scores", errors)
            for criterion in ids:
                path = f"answer.scores.{criterion}"
                if criterion not in scores:
                    errors.add(path, "is required")
                else:
                    self._check_score(scores[criterion], params, path, errors)
        errors.raise_if_any()
        if not ids:
            return {"rating": obj["rating"]}
        return {"scores": {criterion: obj["scores"][criterion] for criterion in ids}}

    @staticmethod
    def _check_score(value: Any, params: dict[str, Any], path: str, errors: ErrorList) -> None:
        if not is_int(value) or not params["min"] <= value <= params["max"]:
            errors.add(path, f"must be an integer from {params['min']} to {params['max']}")

    def check_params_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        errors = ErrorList()
        if new["min"] > old["min"]:
            errors.add("params.min", "cannot be raised once the project exists (only lowered)")
        if new["max"] < old["max"]:
            errors.add("params.max", "cannot be lowered once the project exists (only raised)")
        if bool(old["criteria"]) != bool(new["criteria"]):
            errors.add("params.criteria", "cannot switch between a rating and criteria scores")
        errors.raise_if_any()
        return removed_names([c["id"] for c in old["criteria"]], [c["id"] for c in new["criteria"]])

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        return set(answer.get("scores", {}))

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        span = params["max"] - params["min"]
        if not params["criteria"]:
            ratings = [a["rating"] for a in answers if "rating" in a]
            if not ratings:
                return NO_AGGREGATE
            median, mad = median_spread(ratings)
            return Aggregate({"rating": _as_json_number(median)}, _agreement(mad, span), "median")
        scores: dict[str, int | float] = {}
        weighted, total_weight = 0.0, 0.0
        for criterion in params["criteria"]:
            values = [
                a["scores"][criterion["id"]]
                for a in answers
                if criterion["id"] in a.get("scores", {})
            ]
            if values:
                median, mad = median_spread(values)
                scores[criterion["id"]] = _as_json_number(median)
                weighted += criterion["weight"] * _agreement(mad, span)
                total_weight += criterion["weight"]
        if not scores:
            return NO_AGGREGATE
        return Aggregate({"scores": scores}, weighted / total_weight, "median")
