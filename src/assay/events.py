"""Events: how a lower feature tells a higher one what happened, without importing it.

The feature that owns a fact defines its event (a frozen dataclass in its ``events.py``) and
publishes it; features above it subscribe in their ``subscribers.py``, and
:mod:`assay.wiring` connects them once per process. Handlers run synchronously, in the
publisher's transaction and in the order they were subscribed, so what they write commits
or rolls back with the change that caused it: an event is a function call whose callee the
caller does not name, not a message queue.

Publishing before the wiring is installed raises :class:`EventsNotWired`: a subscriber that
silently never ran would leave leases or money wrong with no error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[[Session, Any], None]

_handlers: dict[type, list[Handler]] = {}
_wired = False


class EventsNotWired(RuntimeError):
    """An event was published before :func:`assay.wiring.install` ran in this process."""


def subscribe(event_type: type, handler: Handler) -> None:
    """Run ``handler(session, event)`` for every published ``event_type``. Subscribing the
    same handler twice is a no-op."""
    handlers = _handlers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def mark_wired() -> None:
    global _wired
    _wired = True


def is_wired() -> bool:
    return _wired


def publish(session: Session, event: object) -> None:
    """Hand ``event`` to each of its subscribers, in the caller's transaction."""
    if not _wired:
        raise EventsNotWired(
            f"{type(event).__name__} published before assay.wiring.install() was called")
    for handler in _handlers.get(type(event), ()):
        handler(session, event)


def subscribers(event_type: type) -> list[Handler]:
    """The handlers of ``event_type``, in the order they run (for tests and docs)."""
    return list(_handlers.get(event_type, ()))
