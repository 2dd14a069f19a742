"""``categorize``: pick one label (or, with ``multiple``, any set of labels) for a task.

- params: ``{"labels": [...], "multiple": false}`` — labels are 1 to 1000 unique, non-blank
  strings; ``multiple`` changes the answer's shape, so it cannot change after creation.
- data: any JSON object (usually ``{"text": ...}`` or ``{"image_url": ...}``).
- answer: ``{"label": "x"}``; with ``multiple``, ``{"labels": ["x", "y"]}``, unique labels,
  possibly empty ("none of these apply"), normalized to the order of ``params.labels``.
- aggregate: plurality. With ``multiple`` the vote is over the exact label set. Confidence is
  the share of answers equal to the winner. Ties go to the label listed first in
  ``params.labels`` (label sets compare as the sorted lists of their labels' positions, so
  the empty set comes first).
"""

from __future__ import annotations

from typing import Any

from assay.kinds.base import NO_AGGREGATE, Aggregate, FieldError, Kind, KindValidationError
from assay.kinds.checks import (
    ErrorList,
    as_object,
    check_bool,
    check_label,
    check_labels,
    reject_unknown_keys,
)
from assay.kinds.voting import plurality_of


class Categorize(Kind):
    name = "categorize"

    def validate_params(self, params: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object({} if params is None else params, "params", errors)
        if obj is None:
            errors.raise_if_any()
            return {}
        reject_unknown_keys(obj, ("labels", "multiple"), "params", errors)
        labels = check_labels(obj, errors)
        multiple = check_bool(obj, "multiple", False, "params", errors)
        errors.raise_if_any()
        return {"labels": labels, "multiple": multiple}

    def validate_data(self, params: dict[str, Any], data: Any) -> None:
        errors = ErrorList()
        as_object(data, "data", errors)
        errors.raise_if_any()

    def validate_answer(self, params: dict[str, Any], data: Any, answer: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object(answer, "answer", errors)
        errors.raise_if_any()
        assert obj is not None
        labels: list[str] = params["labels"]
        key = "labels" if params["multiple"] else "label"
        reject_unknown_keys(obj, (key,), "answer", errors)
        if key not in obj:
            errors.add(f"answer.{key}", "is required")
            errors.raise_if_any()
        if not params["multiple"]:
            label = check_label(obj["label"], labels, "answer.label", errors)
            errors.raise_if_any()
            return {"label": label}
        chosen = obj["labels"]
        if not isinstance(chosen, list):
            errors.add("answer.labels", "must be a list of labels")
            errors.raise_if_any()
        seen: set[str] = set()
        for i, value in enumerate(chosen):
            label = check_label(value, labels, f"answer.labels[{i}]", errors)
            if label in seen:
                errors.add(f"answer.labels[{i}]", f"duplicates {label!r}")
            elif label is not None:
                seen.add(label)
        errors.raise_if_any()
        return {"labels": [label for label in labels if label in seen]}

    def check_params_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        if old["multiple"] != new["multiple"]:
            message = "cannot change after the project is created: it changes the answers' shape"
            raise KindValidationError([FieldError("params.multiple", message)])
        return super().check_params_change(old, new)

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        if "labels" in answer:
            return set(answer["labels"])
        return {answer["label"]}

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        if not answers:
            return NO_AGGREGATE
        position = {label: i for i, label in enumerate(params["labels"])}

        def rank(label: str) -> tuple[int, str]:
            # Labels no longer in params (should not happen: removal of used labels is
            # refused) sort after all known ones, by name.
            return (position.get(label, len(position)), label)

        if params["multiple"]:
            sets = [tuple(sorted(a["labels"], key=rank)) for a in answers]
            winner_set, share = plurality_of(sets, rank=lambda s: [rank(x) for x in s])
            return Aggregate({"labels": list(winner_set)}, share, "plurality")
        winner, share = plurality_of([a["label"] for a in answers], rank=rank)
        return Aggregate({"label": winner}, share, "plurality")
