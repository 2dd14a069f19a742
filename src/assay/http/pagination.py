"""Opaque cursor tokens for list endpoints (the last id of the page, encoded)."""

from __future__ import annotations

import base64
import re
from typing import Any

from assay.errors import field_error

MAX_LIMIT = 1000
_ID = re.compile(r"^[a-z]{2,5}_[0-9a-f]{24}$")


def encode_token(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_token(token: str | None) -> str | None:
    if token is None or token == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raw = ""
    if not _ID.match(raw):
        raise field_error("next_token", "is not a token this server issued")
    return raw


def check_limit(limit: int) -> int:
    if limit < 1 or limit > MAX_LIMIT:
        raise field_error("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def page(docs: list[Any], ids: list[str], limit: int) -> dict[str, Any]:
    """``docs`` holds up to ``limit + 1`` items; the extra one proves there is a next page."""
    more = len(docs) > limit
    return {"docs": docs[:limit], "next_token": encode_token(ids[limit - 1]) if more else None}
