"""``compare``: say which of two responses to a prompt is better (pairwise preference).

- params: ``{"allow_tie": false, "criteria": []}``; ``criteria`` are unique, non-blank names
  (e.g. ``["helpfulness", "safety"]``) on which a worker may also judge the pair.
- data: a JSON object with ``prompt`` (string or object), ``a`` and ``b`` (each a string or
  an object, e.g. ``{"text": ..., "model": ...}``); other keys are kept as they are.
- answer: ``{"choice": "a" | "b" | "tie", "strength": 1-3, "criteria": {"<name>": "a"}}``.
  ``"tie"`` only when ``allow_tie``, for the overall choice and per criterion alike.
  ``strength`` (how clear the preference is, 1 slight to 3 strong) is optional and not
  allowed with a tie. ``criteria`` is optional, may name any subset of the project's criteria,
  and is only known when the project has criteria. Removing a criterion that answers use is
  refused like removing a label.
- aggregate: plurality of ``choice``, confidence the share of answers that agree with the
  winner; ties in the count go to ``"a"``, then ``"b"``, then ``"tie"``. Each criterion is
  decided the same way among the answers that judged it. ``strength`` is not aggregated.
"""

from __future__ import annotations

from typing import Any

from assay.kinds.base import NO_AGGREGATE, Aggregate, Kind, removed_names
from assay.kinds.checks import (
    ErrorList,
    as_object,
    check_bool,
    check_name_list,
    is_int,
    reject_unknown_keys,
    require_keys,
)
from assay.kinds.voting import plurality_of

CHOICES = ("a", "b", "tie")


class Compare(Kind):
    name = "compare"

    def validate_params(self, params: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object({} if params is None else params, "params", errors)
        result: dict[str, Any] = {}
        if obj is not None:
            reject_unknown_keys(obj, ("allow_tie", "criteria"), "params", errors)
            result["allow_tie"] = check_bool(obj, "allow_tie", False, "params", errors)
            result["criteria"] = check_name_list(
                obj.get("criteria", []), "params.criteria", errors, what="criteria", required=False
            )
        errors.raise_if_any()
        return result

    def validate_data(self, params: dict[str, Any], data: Any) -> None:
        errors = ErrorList()
        obj = as_object(data, "data", errors)
        if obj is not None:
            for key in ("prompt", "a", "b"):
                if key not in obj:
                    errors.add(f"data.{key}", "is required")
                elif not isinstance(obj[key], str | dict):
                    errors.add(f"data.{key}", "must be a string or a JSON object")
        errors.raise_if_any()

    def validate_answer(self, params: dict[str, Any], data: Any, answer: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object(answer, "answer", errors)
        errors.raise_if_any()
        assert obj is not None
        allowed = (
            ("choice", "strength", "criteria") if params["criteria"] else ("choice", "strength")
        )
        reject_unknown_keys(obj, allowed, "answer", errors)
        valid = CHOICES if params["allow_tie"] else CHOICES[:2]
        result: dict[str, Any] = {}
        if require_keys(obj, ("choice",), "answer", errors):
            result["choice"] = self._check_choice(obj["choice"], valid, "answer.choice", errors)
        if "strength" in obj:
            strength = obj["strength"]
            if not is_int(strength) or not 1 <= strength <= 3:
                errors.add("answer.strength", "must be an integer from 1 to 3")
            elif result.get("choice") == "tie":
                errors.add("answer.strength", "is not allowed when the choice is a tie")
            else:
                result["strength"] = strength
        if "criteria" in obj and params["criteria"]:
            judged = as_object(obj["criteria"], "answer.criteria", errors) or {}
            reject_unknown_keys(judged, tuple(params["criteria"]), "answer.criteria", errors)
            per_criterion = {
                name: self._check_choice(judged[name], valid, f"answer.criteria.{name}", errors)
                for name in params["criteria"]
                if name in judged
            }
            if per_criterion:
                result["criteria"] = per_criterion
        errors.raise_if_any()
        return result

    @staticmethod
    def _check_choice(value: Any, valid: tuple[str, ...], path: str, errors: ErrorList) -> Any:
        if not isinstance(value, str) or value not in valid:
            errors.add(path, "must be one of " + ", ".join(f'"{c}"' for c in valid))
        return value

    def check_params_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        return removed_names(old["criteria"], new["criteria"])

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        return set(answer.get("criteria", {}))

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        if not answers:
            return NO_AGGREGATE
        choice, share = plurality_of([a["choice"] for a in answers], rank=CHOICES.index)
        result: dict[str, Any] = {"choice": choice}
        per_criterion = {}
        for name in params["criteria"]:
            votes = [a["criteria"][name] for a in answers if name in a.get("criteria", {})]
            if votes:
                per_criterion[name], _ = plurality_of(votes, rank=CHOICES.index)
        if per_criterion:
            result["criteria"] = per_criterion
        return Aggregate(result, share, "plurality")
