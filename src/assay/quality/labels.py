"""Which answers the categorical models read: the answer key and the label set of a
project, for single-label ``categorize`` and for ``compare``."""

from __future__ import annotations

from typing import Any


def categorical_labels(project: Any) -> tuple[str, list[str]] | None:
    """``(answer key, labels)`` for a categorical project, else None."""
    if project.kind == "categorize" and not project.params.get("multiple"):
        return "label", list(project.params["labels"])
    if project.kind == "compare":
        return "choice", ["a", "b", "tie"] if project.params.get("allow_tie") else ["a", "b"]
    return None
