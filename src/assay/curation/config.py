"""A project's curation settings (``project.curation``, set by ``POST``/``PATCH
/v1/projects``), every key present:

- ``embedding_model``: which model embeds the project's task texts (``minilm``, the offline
  all-MiniLM-L6-v2 of the ``[embeddings]`` extra; ``hashing``, the built-in hashing
  vectorizer; ``default``, MiniLM when it is installed, else hashing).
- ``text_field``: the data field holding the text (see :mod:`assay.curation.text`).
- ``suggestions``: whether workers see uploaded predictions as a suggestion.
- ``order``: how pending tasks are offered: ``priority``, ``uncertainty`` or ``diversity``.
"""

from __future__ import annotations

from typing import Any

from assay.projects.schemas import CURATION_DEFAULTS


def curation_settings(project: Any) -> dict[str, Any]:
    return {**CURATION_DEFAULTS, **(getattr(project, "curation", None) or {})}
