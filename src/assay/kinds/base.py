"""The contract every task kind fulfils: validation of params, data and answers, and
aggregation of a task's answers into one result.

A kind is pure: no database, no HTTP. Validation collects every problem it finds and raises
one :class:`KindValidationError` whose :class:`FieldError` entries name each bad field by a
dotted path (``params.labels[2]``, ``data.text``, ``answer.spans[0].end``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any


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


@dataclass(frozen=True)
class Aggregate:
    """A task's aggregated result under a kind's interim rule.

    ``answer`` is a kind answer (or ``None``), ``confidence`` lies in ``[0, 1]`` (or is
    ``None``), and ``method`` names the rule (``"plurality"``, ``"median"``, ``"none"``).
    """

    answer: Any | None
    confidence: float | None
    method: str


NO_AGGREGATE = Aggregate(answer=None, confidence=None, method="none")


class Kind(ABC):
    """A task kind. Subclasses set ``name`` and implement the four abstract methods."""

    name: str

    @abstractmethod
    def validate_params(self, params: Any) -> dict[str, Any]:
        """Return a new, normalized params dict with defaults filled in.

        ``None`` means "no params given" and yields the defaults. Raises
        :class:`KindValidationError` with fields prefixed ``params``.
        """

    @abstractmethod
    def validate_data(self, params: dict[str, Any], data: Any) -> None:
        """Check a task's data against normalized ``params``; fields prefixed ``data``."""

    @abstractmethod
    def validate_answer(self, params: dict[str, Any], data: Any, answer: Any) -> dict[str, Any]:
        """Return the normalized answer as a new dict; fields prefixed ``answer``.

        ``params`` are normalized and ``data`` already valid. The input is never mutated.
        """

    def check_params_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        """Return the labels that ``new`` removes from ``old`` (both normalized).

        The caller refuses the change (``409``) when an answer uses a removed label, which it
        learns from :meth:`labels_used`. A change that would alter the shape of answers
        already given raises :class:`KindValidationError` instead. The default: the kind has
        a ``labels`` list and nothing else constrains a change.
        """
        return removed_names(old.get("labels", []), new.get("labels", []))

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        """Return the labels a normalized answer refers to (empty for label-less kinds)."""
        return set()

    @abstractmethod
    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        """Combine the normalized answers of one task into an :class:`Aggregate`."""


def removed_names(old: list[str], new: list[str]) -> list[str]:
    """Return the names in ``old`` that are absent from ``new``, in ``old``'s order."""
    kept = set(new)
    return [name for name in old if name not in kept]
