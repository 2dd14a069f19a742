"""Task kinds: what a project's params, a task's data and a worker's answer look like, and
how a task's answers are combined. See ``docs/kinds.md``.

Adding a kind means one module here and one entry in ``_KINDS``.
"""

from __future__ import annotations

from assay.kinds.base import Aggregate, FieldError, Kind, KindValidationError
from assay.kinds.boxes import Boxes
from assay.kinds.categorize import Categorize
from assay.kinds.compare import Compare
from assay.kinds.rate import Rate
from assay.kinds.spans import Spans
from assay.kinds.text import Text

_KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (Categorize(), Spans(), Boxes(), Compare(), Rate(), Text())
}

KIND_NAMES: tuple[str, ...] = tuple(_KINDS)


def get_kind(name: str) -> Kind:
    """Return the kind called ``name``; raise ``KeyError`` for an unknown name."""
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(f"unknown kind {name!r}; known kinds: {', '.join(KIND_NAMES)}") from None


__all__ = [
    "KIND_NAMES",
    "Aggregate",
    "FieldError",
    "Kind",
    "KindValidationError",
    "get_kind",
]
