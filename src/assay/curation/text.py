"""The text of a task's data that curation reads (dedup, embeddings, search).

A task's data is any JSON object. Its text is the string at the project's
``curation.text_field`` (default ``text``) when there is one; otherwise every string in the
object, depth first in key order, joined by newlines — so a project whose data is
``{"title": …, "body": …}`` is curated on both without configuration.
"""

from __future__ import annotations

import hashlib
from typing import Any

DEFAULT_FIELD = "text"


def task_text(data: Any, field: str = DEFAULT_FIELD) -> str:
    """The text of ``data`` (see the module docstring)."""
    if isinstance(data, dict):
        value = data.get(field)
        if isinstance(value, str):
            return value
    parts: list[str] = []
    _strings(data, parts)
    return "\n".join(parts)


def _strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key in sorted(value):
            _strings(value[key], out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)


def content_hash(text: str) -> str:
    """The cache key of a text's embedding: SHA-256 of its UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
