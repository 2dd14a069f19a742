"""Field checks shared by the kinds: JSON types, unknown keys, label lists.

Each check records problems in an :class:`ErrorList` under a dotted path instead of raising,
so that one validation reports every bad field at once.
"""

from __future__ import annotations

import math
from typing import Any

from assay.kinds.base import FieldError, KindValidationError

MAX_LABELS = 1000
MAX_LABEL_LENGTH = 200


class ErrorList:
    """Collects :class:`FieldError` entries; :meth:`raise_if_any` raises them together."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.items.append(FieldError(field=field, message=message))

    def raise_if_any(self) -> None:
        if self.items:
            raise KindValidationError(self.items)


def is_int(value: Any) -> bool:
    """True for a JSON integer; ``True``/``False`` are booleans, not numbers."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """True for a finite JSON number (int or float), booleans excluded."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def as_object(value: Any, path: str, errors: ErrorList) -> dict[str, Any] | None:
    """Return ``value`` if it is a JSON object, else record an error and return ``None``."""
    if isinstance(value, dict):
        return value
    errors.add(path, "must be a JSON object")
    return None


def reject_unknown_keys(
    obj: dict[str, Any], allowed: tuple[str, ...], path: str, errors: ErrorList
) -> None:
    """Record one error per key of ``obj`` that is not in ``allowed``."""
    for key in obj:
        if key not in allowed:
            known = ", ".join(allowed) if allowed else "none"
            errors.add(f"{path}.{key}", f"is not a known field (known fields: {known})")


def check_bool(obj: dict[str, Any], key: str, default: bool, path: str, errors: ErrorList) -> bool:
    """Return ``obj[key]`` if it is a boolean, ``default`` if absent; else record an error."""
    value = obj.get(key, default)
    if not isinstance(value, bool):
        errors.add(f"{path}.{key}", "must be true or false")
        return default
    return value


def check_name_list(
    value: Any, path: str, errors: ErrorList, *, what: str, required: bool
) -> list[str]:
    """Check a list of unique, non-blank strings (labels, criteria); return a copy.

    Returns the valid names found (so later checks can go on) even when errors were recorded.
    """
    if not isinstance(value, list):
        errors.add(path, f"must be a list of {what}")
        return []
    if required and not value:
        errors.add(path, f"must contain at least one {what[:-1]}")
    if len(value) > MAX_LABELS:
        errors.add(path, f"must contain at most {MAX_LABELS} {what}")
    seen: set[str] = set()
    for i, name in enumerate(value):
        check_name(name, f"{path}[{i}]", seen, errors)
    return list(seen_in_order(value, seen))


def check_name(value: Any, path: str, seen: set[str], errors: ErrorList) -> str | None:
    """Check one name of a list: a non-blank string, not too long, not in ``seen``.

    A valid name is added to ``seen`` and returned; otherwise an error is recorded.
    """
    if not isinstance(value, str) or not value.strip():
        errors.add(path, "must be a non-blank string")
    elif len(value) > MAX_LABEL_LENGTH:
        errors.add(path, f"must be at most {MAX_LABEL_LENGTH} characters long")
    elif value in seen:
        errors.add(path, f"duplicates {value!r}")
    else:
        seen.add(value)
        return value
    return None


def seen_in_order(values: list[Any], seen: set[str]) -> list[str]:
    """Return the first occurrence of each value in ``seen``, in list order."""
    out: list[str] = []
    for value in values:
        if isinstance(value, str) and value in seen and value not in out:
            out.append(value)
    return out


def check_labels(params: dict[str, Any], errors: ErrorList) -> list[str]:
    """Check the required ``params.labels`` list; return a copy of the valid labels."""
    if "labels" not in params:
        errors.add("params.labels", "is required")
        return []
    return check_name_list(params["labels"], "params.labels", errors, what="labels", required=True)


def check_label(value: Any, labels: list[str], path: str, errors: ErrorList) -> str | None:
    """Return ``value`` if it is one of ``labels``; else record an error."""
    if not isinstance(value, str):
        errors.add(path, "must be a string")
        return None
    if value not in labels:
        errors.add(path, f"{value!r} is not one of the project's labels")
        return None
    return value


def require_keys(obj: dict[str, Any], keys: tuple[str, ...], path: str, errors: ErrorList) -> bool:
    """Record an error per missing key; True when all are present."""
    missing = [key for key in keys if key not in obj]
    for key in missing:
        errors.add(f"{path}.{key}", "is required")
    return not missing
