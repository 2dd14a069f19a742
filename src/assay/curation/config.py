"""A project's curation settings (``project.curation``), with their defaults.

- ``embedding_model``: which model embeds the project's task texts (``minilm``, the offline
  all-MiniLM-L6-v2 when the ``[embeddings]`` extra is installed, else ``hashing``, the
  built-in hashing vectorizer; either may be named explicitly).
- ``text_field``: the data field holding the text (see :mod:`assay.curation.text`).
- ``suggestions``: whether workers see uploaded predictions as a suggestion.
- ``order``: how pending tasks are offered: ``priority`` (the default), ``uncertainty`` or
  ``diversity``.
"""

from __future__ import annotations

from typing import Any

from assay.curation.text import DEFAULT_FIELD

DEFAULTS: dict[str, Any] = {"embedding_model": "default", "text_field": DEFAULT_FIELD,
                            "suggestions": False, "order": "priority"}


def curation_settings(project: Any) -> dict[str, Any]:
    """The project's settings, every key present."""
    return {**DEFAULTS, **(getattr(project, "curation", None) or {})}
