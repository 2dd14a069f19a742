"""``spans``' shapes.

- params: ``{"labels": [...]}``.
- data: a JSON object with a non-empty string ``text``; other keys are kept as they are.
- answer: ``{"spans": [{"start": 0, "end": 5, "label": "ORG"}]}``. Offsets are integer
  positions in the text counted in Unicode code points (Python ``str`` indexing), ``end``
  exclusive, ``0 <= start < end <= len(text)``. Spans may not overlap (a CoNLL/BIO export
  cannot hold overlapping spans); the overlap error names the span that starts later. The
  list may be empty (nothing to mark).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from assay.kinds.schema import (
    KindModel,
    LabelList,
    Loc,
    ProjectLabel,
    field_errors,
    invalid,
    is_int,
    task_data,
)


class Params(KindModel):
    labels: LabelList


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise invalid("must be a string")
    if not value:
        raise invalid("must not be empty")
    return value


class Data(KindModel):
    model_config = ConfigDict(extra="allow")

    text: Annotated[Any, AfterValidator(_text)]


def _offset(value: Any, info: ValidationInfo) -> int:
    length = len(task_data(info)["text"])
    if not is_int(value):
        raise invalid("must be an integer")
    if not 0 <= value <= length:
        raise invalid(f"must lie between 0 and {length}")
    return int(value)


Offset = Annotated[Any, AfterValidator(_offset)]


class Span(KindModel):
    start: Offset
    end: Offset
    label: ProjectLabel

    @model_validator(mode="after")
    def _not_empty(self) -> Span:
        if self.start >= self.end:
            raise field_errors([(("end",), "must be greater than start")])
        return self


def _disjoint(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Every span's own errors, and then every span (of those valid) that overlaps one
    starting before it."""
    if not isinstance(value, list):
        raise invalid("must be a list of spans")
    errors: list[tuple[Loc, str]] = []
    result = None
    try:
        result = handler(value)
    except ValidationError as exc:
        errors = [(tuple(e["loc"]), e["msg"]) for e in exc.errors()]
    bad = {loc[0] for loc, _ in errors}
    valid = sorted((item["start"], item["end"], i) for i, item in enumerate(value)
                   if i not in bad)
    for (start, end, _), (later, _, i) in pairwise(valid):
        if later < end:
            errors.append(((i,), f"overlaps the span at [{start}, {end})"))
    if errors:
        raise field_errors(errors, value)
    return result


class Answer(KindModel):
    spans: Annotated[list[Span], WrapValidator(_disjoint)]
