"""Server-generated ids: a type prefix, then a time-ordered body.

The body starts with the creation time in microseconds (hex, fixed width), made strictly
increasing within a process, followed by random hex. Sorting ids therefore sorts by creation,
which gives list endpoints a stable order and cursor pagination without another column.
"""

from __future__ import annotations

import secrets
import threading
import time

_lock = threading.Lock()
_last = 0


def _tick() -> int:
    global _last
    with _lock:
        now = time.time_ns() // 1000
        _last = now if now > _last else _last + 1
        return _last


def new_id(prefix: str) -> str:
    """Return a fresh id such as ``tsk_0623f1c2a9b3e1d4f7a90c11``."""
    return f"{prefix}_{_tick():014x}{secrets.token_hex(5)}"


def new_secret(prefix: str, nbytes: int = 24) -> str:
    """Return a credential: a readable prefix and url-safe random text."""
    return f"{prefix}_{secrets.token_urlsafe(nbytes)}"
