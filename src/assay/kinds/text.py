"""``text``: write free text about a task (a transcription, a caption, an answer).

- params: ``{"max_length": null}`` — an optional positive integer up to 100,000; ``null``
  (the default) means the platform limit of 100,000 characters.
- data: any JSON object.
- answer: ``{"text": "..."}``, not blank (something besides whitespace), at most
  ``max_length`` characters (Unicode code points). The text is kept exactly as written:
  whitespace can matter (code, poetry, transcripts).
- aggregate: none (``method: "none"``); free text has no vote. The answers are read with
  ``include=responses``.
"""

from __future__ import annotations

from typing import Any

from assay.kinds.base import NO_AGGREGATE, Aggregate, Kind
from assay.kinds.checks import ErrorList, as_object, is_int, reject_unknown_keys, require_keys

MAX_TEXT_LENGTH = 100_000


class Text(Kind):
    name = "text"

    def validate_params(self, params: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object({} if params is None else params, "params", errors)
        max_length = None
        if obj is not None:
            reject_unknown_keys(obj, ("max_length",), "params", errors)
            max_length = obj.get("max_length")
            if max_length is not None and (
                not is_int(max_length) or not 1 <= max_length <= MAX_TEXT_LENGTH
            ):
                errors.add("params.max_length", f"must be an integer from 1 to {MAX_TEXT_LENGTH}")
        errors.raise_if_any()
        return {"max_length": max_length}

    def validate_data(self, params: dict[str, Any], data: Any) -> None:
        errors = ErrorList()
        as_object(data, "data", errors)
        errors.raise_if_any()

    def validate_answer(self, params: dict[str, Any], data: Any, answer: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object(answer, "answer", errors)
        if obj is not None:
            reject_unknown_keys(obj, ("text",), "answer", errors)
            if require_keys(obj, ("text",), "answer", errors):
                self._check_text(obj["text"], params["max_length"] or MAX_TEXT_LENGTH, errors)
        errors.raise_if_any()
        assert obj is not None
        return {"text": obj["text"]}

    @staticmethod
    def _check_text(text: Any, limit: int, errors: ErrorList) -> None:
        if not isinstance(text, str):
            errors.add("answer.text", "must be a string")
        elif not text.strip():
            errors.add("answer.text", "must not be blank")
        elif len(text) > limit:
            errors.add("answer.text", f"must be at most {limit} characters long")

    def check_params_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        return []

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        return NO_AGGREGATE
