"""The pydantic side of the kinds: the base model of every kind schema, the field types the
kinds share, and :func:`parse`, which turns pydantic's errors into field paths.

Every schema derives from :class:`KindModel`: strict types (``true`` is no number, ``"4"``
no integer), unknown keys refused, and errors reported the way the API promises: a dotted
path (``answer.spans[0].end``) and a sentence, unknown keys of an object before its other
errors, then the fields in the schema's order. A validator that finds several bad items
(duplicates in a list, overlapping spans) raises them together with :func:`field_errors`.
Validators that depend on the project read ``info.context["params"]`` (and, for answers,
``info.context["data"]``), which :func:`parse` passes in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from assay.kinds.errors import FieldError, KindValidationError

MAX_LABELS = 1000
MAX_LABEL_LENGTH = 200

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

# Pydantic's own error types, in the API's words.
_MESSAGES = {
    "missing": "is required",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "list_type": "must be a list",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "int_type": "must be an integer",
}


def invalid(message: str) -> PydanticCustomError:
    """The error a kind's validator raises; ``message`` is shown as written."""
    return PydanticCustomError("invalid", "{message}", {"message": message})


def field_errors(errors: Sequence[tuple[Loc, str]], value: Any = None) -> ValidationError:
    """Several errors at once, each at a location relative to the validated value (``()``
    for the value itself, ``(2,)`` for its third item): raise it from a wrap validator."""
    return ValidationError.from_exception_data("kind", [
        InitErrorDetails(type=invalid(message), loc=loc, input=value) for loc, message in errors
    ])


class KindModel(BaseModel):
    """Strict, closed: the base of every kind schema."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="wrap")
    @classmethod
    def _in_the_apis_words(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            raise _reworded(cls, exc) from None


def _reworded(model: type[BaseModel], exc: ValidationError) -> ValidationError:
    """This model's errors with the API's messages, its own unknown keys first."""
    known = ", ".join(f.alias or name for name, f in model.model_fields.items()) or "none"
    own: list[InitErrorDetails] = []
    rest: list[InitErrorDetails] = []
    for error in exc.errors():
        loc, kind = tuple(error["loc"]), error["type"]
        if kind == "extra_forbidden":
            message = f"is not a known field (known fields: {known})"
            own.append(InitErrorDetails(
                type=PydanticCustomError("unknown_field", "{message}", {"message": message}),
                loc=loc, input=error["input"]))
            continue
        message = _MESSAGES.get(kind, error["msg"])
        rest.append(InitErrorDetails(
            type=PydanticCustomError(kind, "{message}", {"message": message}),
            loc=loc, input=error["input"]))
    return ValidationError.from_exception_data(model.__name__, own + rest)


def path(prefix: str, loc: Sequence[str | int]) -> str:
    """``("spans", 0, "end")`` under ``answer`` → ``answer.spans[0].end``."""
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def parse(model: type[M], value: Any, prefix: str,
          context: dict[str, Any] | None = None) -> M:
    """Validate ``value`` against ``model``; raise :class:`KindValidationError` naming every
    bad field under ``prefix`` (``params``, ``data`` or ``answer``)."""
    try:
        return model.model_validate(value, context=context)
    except ValidationError as exc:
        raise KindValidationError([FieldError(path(prefix, e["loc"]), e["msg"])
                                   for e in exc.errors()]) from None


# -- shared field types -----------------------------------------------------------------

def is_int(value: Any) -> bool:
    """True for a JSON integer; ``True``/``False`` are booleans, not numbers."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """True for a finite JSON number (int or float), booleans excluded."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid("must be a non-blank string")
    if len(value) > MAX_LABEL_LENGTH:
        raise invalid(f"must be at most {MAX_LABEL_LENGTH} characters long")
    return value


#: A label or criterion name: a non-blank string of at most 200 characters.
Name = Annotated[Any, AfterValidator(_name)]


def unique_names(what: str, *, required: bool) -> WrapValidator:
    """A list of 1 (or, unless ``required``, 0) to 1,000 unique names; each duplicate is
    named by its index. ``what`` is the plural noun of the messages (``"labels"``)."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if not isinstance(value, list):
            raise invalid(f"must be a list of {what}")
        errors: list[tuple[Loc, str]] = []
        if required and not value:
            errors.append(((), f"must contain at least one {what[:-1]}"))
        if len(value) > MAX_LABELS:
            errors.append(((), f"must contain at most {MAX_LABELS} {what}"))
        items: list[tuple[Loc, str]] = []
        result = value
        try:
            result = handler(value)
        except ValidationError as exc:
            items = [(tuple(e["loc"]), e["msg"]) for e in exc.errors()]
        bad = {loc[0] for loc, _ in items}
        seen: set[str] = set()
        for i, name in enumerate(value):
            if i in bad:
                continue
            if name in seen:
                items.append(((i,), f"duplicates {name!r}"))
            seen.add(name)
        if errors or items:
            items.sort(key=lambda item: item[0][0])
            raise field_errors(errors + items, value)
        return list(result)

    return WrapValidator(check)


#: The ``labels`` of a project: 1 to 1,000 unique names.
LabelList = Annotated[list[Name], unique_names("labels", required=True)]


def _project_label(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str):
        raise invalid("must be a string")
    if value not in project(info)["labels"]:
        raise invalid(f"{value!r} is not one of the project's labels")
    return value


#: One of the project's ``params.labels``.
ProjectLabel = Annotated[Any, AfterValidator(_project_label)]


def project(info: ValidationInfo) -> dict[str, Any]:
    """The normalized params of the project being validated against."""
    context = info.context or {}
    params: dict[str, Any] = context["params"]
    return params


def task_data(info: ValidationInfo) -> dict[str, Any]:
    """The (valid) data of the task an answer is given to."""
    context = info.context or {}
    data: dict[str, Any] = context["data"]
    return data


def checked(test: Callable[[Any], bool], message: str) -> AfterValidator:
    """A field that must pass ``test``; ``message`` otherwise."""

    def check(value: Any) -> Any:
        if not test(value):
            raise invalid(message)
        return value

    return AfterValidator(check)


def list_of(what: str) -> WrapValidator:
    """A list, or the error "must be a list of ``what``"."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if not isinstance(value, list):
            raise invalid(f"must be a list of {what}")
        return handler(value)

    return WrapValidator(check)


class AnyObject(KindModel):
    """Task data that may be any JSON object (its keys are the customer's own)."""

    model_config = ConfigDict(extra="allow")


def criteria_list(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A wrap validator for a list of criteria objects with an ``id`` each: each
    criterion's own errors, too many criteria, and every repeated id."""
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


def above_min(value: int, info: ValidationInfo) -> int:
    """An ``max`` field's validator: above the ``min`` field beside it."""
    if "min" in info.data and value <= info.data["min"]:
        raise invalid("must be greater than min")
    return value
