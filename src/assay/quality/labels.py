"""Which answers the categorical models read: the answer key and the label set of a
project, as its kind says (``Kind.categorical``)."""

from __future__ import annotations

from typing import Any

from assay.kinds import get_kind


def categorical_labels(project: Any) -> tuple[str, list[str]] | None:
    """``(answer key, labels)`` for a categorical project, else None."""
    found = get_kind(project.kind).categorical(project.params)
    return None if found is None else (found.key, list(found.labels))
