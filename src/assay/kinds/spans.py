"""``spans``: mark labelled character ranges in a text (named entities and the like).

- params: ``{"labels": [...]}``.
- data: a JSON object with a non-empty string ``text``; other keys are kept as they are.
- answer: ``{"spans": [{"start": 0, "end": 5, "label": "ORG"}]}``. Offsets are integer
  positions in the text counted in Unicode code points (Python ``str`` indexing), ``end``
  exclusive, ``0 <= start < end <= len(text)``. Spans may not overlap (a CoNLL/BIO export
  cannot hold overlapping spans); the list may be empty (nothing to mark). The normalized
  answer lists the spans sorted by ``start``.
- aggregate: none yet (``method: "none"``); the answers are read with ``include=responses``.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from assay.kinds.base import NO_AGGREGATE, Aggregate, Kind
from assay.kinds.checks import (
    ErrorList,
    as_object,
    check_label,
    check_labels,
    is_int,
    reject_unknown_keys,
    require_keys,
)

SPAN_KEYS = ("start", "end", "label")


class Spans(Kind):
    name = "spans"

    def validate_params(self, params: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object({} if params is None else params, "params", errors)
        labels: list[str] = []
        if obj is not None:
            reject_unknown_keys(obj, ("labels",), "params", errors)
            labels = check_labels(obj, errors)
        errors.raise_if_any()
        return {"labels": labels}

    def validate_data(self, params: dict[str, Any], data: Any) -> None:
        errors = ErrorList()
        obj = as_object(data, "data", errors)
        if obj is not None and require_keys(obj, ("text",), "data", errors):
            if not isinstance(obj["text"], str):
                errors.add("data.text", "must be a string")
            elif not obj["text"]:
                errors.add("data.text", "must not be empty")
        errors.raise_if_any()

    def validate_answer(self, params: dict[str, Any], data: Any, answer: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object(answer, "answer", errors)
        if obj is not None:
            reject_unknown_keys(obj, ("spans",), "answer", errors)
            if require_keys(obj, ("spans",), "answer", errors) and not isinstance(
                obj["spans"], list
            ):
                errors.add("answer.spans", "must be a list of spans")
        if obj is None or not isinstance(obj.get("spans"), list):
            errors.raise_if_any()
        assert obj is not None
        text_length = len(data["text"])
        spans: list[tuple[int, dict[str, Any]]] = []
        for i, item in enumerate(obj["spans"]):
            path = f"answer.spans[{i}]"
            span = self._check_span(item, path, params["labels"], text_length, errors)
            if span is not None:
                spans.append((i, span))
        spans.sort(key=lambda pair: (pair[1]["start"], pair[1]["end"], pair[0]))
        for (_, before), (i, after) in pairwise(spans):
            if after["start"] < before["end"]:
                where = f"[{before['start']}, {before['end']})"
                errors.add(f"answer.spans[{i}]", f"overlaps the span at {where}")
        errors.raise_if_any()
        return {"spans": [span for _, span in spans]}

    @staticmethod
    def _check_span(
        item: Any, path: str, labels: list[str], text_length: int, errors: ErrorList
    ) -> dict[str, Any] | None:
        obj = as_object(item, path, errors)
        if obj is None:
            return None
        before = len(errors.items)
        reject_unknown_keys(obj, SPAN_KEYS, path, errors)
        if not require_keys(obj, SPAN_KEYS, path, errors):
            return None
        start, end = obj["start"], obj["end"]
        for key, value in (("start", start), ("end", end)):
            if not is_int(value):
                errors.add(f"{path}.{key}", "must be an integer")
            elif not 0 <= value <= text_length:
                errors.add(f"{path}.{key}", f"must lie between 0 and {text_length}")
        label = check_label(obj["label"], labels, f"{path}.label", errors)
        if len(errors.items) > before:
            return None
        if start >= end:
            errors.add(f"{path}.end", "must be greater than start")
            return None
        return {"start": start, "end": end, "label": label}

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        return {span["label"] for span in answer["spans"]}

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        return NO_AGGREGATE
