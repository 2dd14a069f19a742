"""Validation errors of the kinds: every bad field, each named by a dotted path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One invalid field: its dotted path and a human sentence."""

    field: str
    message: str


class KindValidationError(ValueError):
    """Params, data or an answer that does not fit its kind; lists every bad field."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))
