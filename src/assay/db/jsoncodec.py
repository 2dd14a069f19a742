"""JSON for the database's JSON columns and for exports: orjson, with the standard library
for what orjson cannot keep exact (integers beyond 64 bits, which JSON allows)."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson


def dumps_json(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_LONG_NUMBER = re.compile(rb"\d{19}")


def loads_json(text: str | bytes) -> Any:
    """orjson reads integers past 64 bits as floats; text with such a run of digits goes to
    the standard library, which keeps them exact."""
    raw = text.encode() if isinstance(text, str) else text
    if _LONG_NUMBER.search(raw):
        return json.loads(raw)
    return orjson.loads(raw)
