"""``rate``'s shapes.

- params: ``{"min": 1, "max": 5, "criteria": []}``: integers with ``min < max``; each
  criterion is ``{"id": "fluency", "description": "...", "weight": 1}`` with a unique,
  non-blank ``id``, an optional ``description`` (default ``""``) and a ``weight > 0``
  (default 1).
- data: any JSON object.
- answer: ``{"rating": 4}`` without criteria; ``{"scores": {"fluency": 4, ...}}`` with a
  score for every criterion and nothing else. Scores are integers in ``[min, max]``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    create_model,
)

from assay.kinds.schema import (
    MAX_LABELS,
    KindModel,
    Loc,
    Name,
    checked,
    field_errors,
    invalid,
    is_number,
    project,
)


class Criterion(KindModel):
    id: Name
    description: str = ""
    weight: Annotated[Any, checked(lambda v: is_number(v) and v > 0,
                                   "must be a number > 0")] = 1


def _criteria(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Each criterion's own errors, too many criteria, and every repeated id."""
    if not isinstance(value, list):
        raise invalid("must be a list of criteria")
    errors: list[tuple[Loc, str]] = []
    if len(value) > MAX_LABELS:
        errors.append(((), f"must contain at most {MAX_LABELS} criteria"))
    result = None
    try:
        result = handler(value)
    except ValidationError as exc:
        errors += [(tuple(e["loc"]), e["msg"]) for e in exc.errors()]
    bad_ids = {loc[0] for loc, _ in errors if loc[1:2] == ("id",) or len(loc) == 1}
    seen: set[str] = set()
    for i, item in enumerate(value):
        if i in bad_ids or not isinstance(item, dict) or "id" not in item:
            continue
        if item["id"] in seen:
            errors.append(((i, "id"), f"duplicates {item['id']!r}"))
        seen.add(item["id"])
    if errors:
        errors.sort(key=lambda error: error[0][:1])
        raise field_errors(errors, value)
    return result


def _above_min(value: int, info: ValidationInfo) -> int:
    if "min" in info.data and value <= info.data["min"]:
        raise invalid("must be greater than min")
    return value


class Params(KindModel):
    min: int = 1
    max: Annotated[int, AfterValidator(_above_min)] = Field(default=5, validate_default=True)
    criteria: Annotated[list[Criterion], WrapValidator(_criteria)] = []


def _score(value: Any, info: ValidationInfo) -> int:
    params = project(info)
    if isinstance(value, bool) or not isinstance(value, int) or not (
            params["min"] <= value <= params["max"]):
        raise invalid(f"must be an integer from {params['min']} to {params['max']}")
    return value


Score = Annotated[Any, AfterValidator(_score)]


class RatingAnswer(KindModel):
    rating: Score


@lru_cache(maxsize=256)
def scores_answer(criteria: tuple[str, ...]) -> type[KindModel]:
    """The answer schema of a project with these criteria: a score for each (fields named
    by position, the criteria ids as their aliases)."""
    scores = create_model(  # type: ignore[call-overload]
        "Scores", __base__=KindModel,
        **{f"c{i}": (Score, Field(alias=name)) for i, name in enumerate(criteria)})
    model: type[KindModel] = create_model("ScoresAnswer", __base__=KindModel,
                                          scores=(scores, ...))
    return model
