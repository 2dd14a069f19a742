"""``compare``'s shapes.

- params: ``{"allow_tie": false, "allow_both_bad": false, "criteria": []}``; ``criteria`` are
  unique, non-blank names (e.g. ``["helpfulness", "safety"]``) on which a worker may also
  judge the pair.
- data: a JSON object with ``prompt`` (string or object), ``a`` and ``b`` (each a string or
  an object, e.g. ``{"text": ..., "model": ...}``); other keys are kept as they are.
- answer: ``{"choice": "a" | "b" | "tie" | "both_bad", "strength": 1-3, "criteria":
  {"<name>": "a"}}``. ``"tie"`` only when ``allow_tie``, for the overall choice and per
  criterion alike; ``"both_bad"`` (neither reply is acceptable) only when ``allow_both_bad``,
  and only for the overall choice. ``strength`` (how clear the preference is, 1 slight to 3
  strong) is optional and allowed only with ``"a"`` or ``"b"``. ``criteria`` is optional,
  may name any subset of the project's criteria, and is only known when the project has
  criteria.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, ValidationInfo, create_model

from assay.kinds.schema import (
    KindModel,
    Name,
    checked,
    invalid,
    is_int,
    project,
    unique_names,
)

CHOICES = ("a", "b", "tie", "both_bad")
"""Every overall choice, in the order a tie in the count is broken."""


def allowed_choices(params: dict[str, Any], *, overall: bool = True) -> tuple[str, ...]:
    """The choices these params allow: ``a`` and ``b``, ``tie`` with ``allow_tie``, and for
    the overall choice (not a criterion) ``both_bad`` with ``allow_both_bad``."""
    return (("a", "b") + (("tie",) if params.get("allow_tie") else ())
            + (("both_bad",) if overall and params.get("allow_both_bad") else ()))


class Params(KindModel):
    allow_tie: bool = False
    allow_both_bad: bool = False
    criteria: Annotated[list[Name], unique_names("criteria", required=False)] = []


Side = Annotated[Any, checked(lambda v: isinstance(v, str | dict),
                              "must be a string or a JSON object")]


class Data(KindModel):
    model_config = ConfigDict(extra="allow")

    prompt: Side
    a: Side
    b: Side


def _check_choice(value: Any, valid: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in valid:
        raise invalid("must be one of " + ", ".join(f'"{c}"' for c in valid))
    return value


def _choice(value: Any, info: ValidationInfo) -> str:
    return _check_choice(value, allowed_choices(project(info)))


def _criterion_choice(value: Any, info: ValidationInfo) -> str:
    return _check_choice(value, allowed_choices(project(info), overall=False))


Choice = Annotated[Any, AfterValidator(_choice)]
CriterionChoice = Annotated[Any, AfterValidator(_criterion_choice)]


def _strength(value: Any, info: ValidationInfo) -> int:
    if not is_int(value) or not 1 <= value <= 3:
        raise invalid("must be an integer from 1 to 3")
    if info.data.get("choice") in ("tie", "both_bad"):
        raise invalid("is allowed only when the choice is \"a\" or \"b\"")
    return int(value)


class Answer(KindModel):
    choice: Choice
    strength: Annotated[Any, AfterValidator(_strength)] = None


@lru_cache(maxsize=256)
def answer_with_criteria(criteria: tuple[str, ...]) -> type[KindModel]:
    """The answer schema of a project with these criteria: ``criteria`` judges any subset
    of them (fields named by position, the criteria as their aliases)."""
    judged = create_model(  # type: ignore[call-overload]
        "Criteria", __base__=KindModel,
        **{f"c{i}": (CriterionChoice, Field(default=None, alias=name))
           for i, name in enumerate(criteria)})
    model: type[KindModel] = create_model(
        "AnswerWithCriteria", __base__=Answer, criteria=(judged, None))
    return model
