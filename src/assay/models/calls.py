"""Calling an organization's model: load the endpoint, call it with no transaction open,
then record the call in its own short write — success or failure.

This is what the routes and (later) chat generation and evaluations use. Nothing but the
``model_calls`` row is written here: a caller stores what a reply produced only after it
has the whole reply, so a down or slow model leaves nothing half-written.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.db.engine import Database
from assay.errors import AssayError, NotFound
from assay.models import client, repository, service
from assay.models.client import Outcome


@dataclass(frozen=True)
class Target:
    """Which model of which organization, for which project (cost per project)."""

    org_id: str
    model_id: str
    project_id: str | None = None


def _load(db: Database, target: Target,
          allowed: tuple[str, ...]) -> tuple[client.Endpoint, dict[str, Any] | None]:
    with db.read() as session:
        model = repository.get_model(session, target.org_id, target.model_id)
        if model is None:
            raise NotFound("model not found", code="model_not_found")
        return service.endpoint(model, allowed), model.prices


def _record(db: Database, target: Target, prices: dict[str, Any] | None, outcome: Outcome,
            now: Callable[[], datetime]) -> None:
    db.write(lambda s: service.record_call(s, target.org_id, target.model_id,
                                           target.project_id, prices, outcome, now()))


def chat(db: Database, target: Target, messages: list[dict[str, Any]], *,
         allowed: tuple[str, ...], now: Callable[[], datetime],
         overrides: dict[str, Any] | None = None,
         rng: random.Random | None = None) -> Outcome:
    """A whole reply. Raises ``ModelError`` (502) or ``ModelTimeout`` (504) after the
    failed call is recorded."""
    endpoint, prices = _load(db, target, allowed)
    try:
        outcome = client.chat(endpoint, messages, overrides, rng=rng)
    except AssayError as exc:
        failed = getattr(exc, "outcome", None)
        if failed is not None:
            _record(db, target, prices, failed, now)
        raise
    _record(db, target, prices, outcome, now)
    return outcome


class Stream:
    """The deltas of a streamed reply (iterate); :attr:`outcome` once it ended. The call
    is recorded when the stream ends, however it ends: a consumer that stops early (or
    closes it) records what it read, as ``stream_abandoned``."""

    def __init__(self, db: Database, target: Target, messages: list[dict[str, Any]], *,
                 allowed: tuple[str, ...], now: Callable[[], datetime],
                 overrides: dict[str, Any] | None = None,
                 rng: random.Random | None = None, record_success: bool = True) -> None:
        self._db, self._target, self._now = db, target, now
        endpoint, self._prices = _load(db, target, allowed)
        self._stream = client.stream_chat(endpoint, messages, overrides, rng=rng)
        self._recorded = False
        # A caller that stores the reply may record a whole reply's call in its own write
        # (:meth:`record_in`): one transaction fewer. A failure is recorded here either way.
        self._record_success = record_success
        self._iter = self._run()

    @property
    def outcome(self) -> Outcome:
        return self._stream.outcome

    def __iter__(self) -> Iterator[str]:
        return self._iter

    def _run(self) -> Iterator[str]:
        try:
            yield from self._stream
        finally:
            self.close()

    def close(self) -> None:
        self._stream.close()
        if not self._recorded and (self._record_success or self.outcome.status != "ok"):
            self._recorded = True
            _record(self._db, self._target, self._prices, self._stream.outcome, self._now)

    def record_in(self, session: Session, now: datetime) -> None:
        """Record a whole reply's call inside the caller's transaction (with
        ``record_success=False``)."""
        if not self._recorded:
            self._recorded = True
            service.record_call(session, self._target.org_id, self._target.model_id,
                                self._target.project_id, self._prices, self.outcome, now)
