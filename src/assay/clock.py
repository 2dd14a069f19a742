"""Time, in one place, so that tests can reason about leases and retries.

The app holds one :class:`Clock` (``app.state.clock``, given to ``create_app``); routes read
the time from it and pass it to services as ``now``. Tests give a :class:`ManualClock` and
move it, so a lease expires without anyone sleeping.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to (thread-safe: a server thread reads it while a
    test moves it)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def isoformat(value: datetime | None) -> str | None:
    """RFC 3339 UTC with a trailing ``Z``, as API.md requires."""
    if value is None:
        return None
    if value.tzinfo is not None and value.utcoffset():
        value = value.astimezone(UTC)
    # isoformat is several times faster than strftime; exports format millions of these.
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
