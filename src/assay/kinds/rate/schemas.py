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
    ValidationInfo,
    WrapValidator,
    create_model,
)

from assay.kinds.schema import (
    KindModel,
    Name,
    above_min,
    checked,
    criteria_list,
    invalid,
    is_number,
    project,
)


class Criterion(KindModel):
    id: Name
    description: str = ""
    weight: Annotated[Any, checked(lambda v: is_number(v) and v > 0,
                                   "must be a number > 0")] = 1


class Params(KindModel):
    min: int = 1
    max: Annotated[int, AfterValidator(above_min)] = Field(default=5, validate_default=True)
    criteria: Annotated[list[Criterion], WrapValidator(criteria_list)] = []


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
