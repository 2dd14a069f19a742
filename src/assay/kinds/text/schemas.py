"""``text``'s shapes.

- params: ``{"max_length": null}``: an optional integer from 1 to 100,000; ``null`` (the
  default) means the platform limit of 100,000 characters.
- data: any JSON object.
- answer: ``{"text": "..."}``, not blank (something besides whitespace), at most
  ``max_length`` characters (Unicode code points), kept exactly as written: whitespace can
  matter (code, poetry, transcripts).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, ValidationInfo

from assay.kinds.schema import KindModel, checked, invalid, is_int, project

MAX_TEXT_LENGTH = 100_000


class Params(KindModel):
    max_length: Annotated[Any, checked(
        lambda v: v is None or (is_int(v) and 1 <= v <= MAX_TEXT_LENGTH),
        f"must be an integer from 1 to {MAX_TEXT_LENGTH}")] = None


def _text(value: Any, info: ValidationInfo) -> str:
    limit = project(info)["max_length"] or MAX_TEXT_LENGTH
    if not isinstance(value, str):
        raise invalid("must be a string")
    if not value.strip():
        raise invalid("must not be blank")
    if len(value) > limit:
        raise invalid(f"must be at most {limit} characters long")
    return value


class Answer(KindModel):
    text: Annotated[Any, AfterValidator(_text)]
