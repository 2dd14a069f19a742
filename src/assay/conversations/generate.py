"""Generating a turn: plan it (one write), call the models with no transaction open, then
store every whole reply at once (one write) — or, when a model fails, forget the claim, so
that nothing half-written stays. A request that finds the turn claimed by another waits for
it (polling its row) and shows the same candidates: the models are called once per
candidate, whoever asks.

:func:`events` yields what the route sends: ``("delta", {"candidate", "delta"})`` as the
replies are written, then ``("done", {"turn", "candidates"})`` or ``("error", {...})``.
Errors shown to a worker name no model, address or upstream message.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import WorkerPrincipal
from assay.conversations import service
from assay.conversations.service import Plan
from assay.db.engine import Database
from assay.errors import AssayError, ModelError, ModelTimeout
from assay.models import calls

Event = tuple[str, dict[str, Any]]
_POLL_S = 0.05
_ATTEMPTS = 3


def worker_error(exc: AssayError) -> AssayError:
    """The error a worker sees for a failed model call: its kind only."""
    if isinstance(exc, ModelTimeout):
        return ModelTimeout("a model did not reply in time; ask again")
    return ModelError("a model failed to reply; ask again")


def _error(exc: AssayError) -> Event:
    shown = worker_error(exc)
    return "error", {"error": {"code": shown.code, "message": shown.message, "details": {}}}


def plan(db: Database, who: WorkerPrincipal, assignment_id: str, body: dict[str, Any],
         now: Callable[[], datetime], rng: random.Random) -> Plan:
    return db.write(lambda s: service.plan_turn(s, who, assignment_id, body, now(), rng))


def events(db: Database, who: WorkerPrincipal, assignment_id: str, body: dict[str, Any],
           first: Plan, *, allowed: tuple[str, ...], now: Callable[[], datetime],
           rng: random.Random) -> Iterator[Event]:
    """The events of one ``generate`` request, starting from its first :func:`plan`."""
    current = first
    for _ in range(_ATTEMPTS):
        if current.action == "claim":
            failed: list[AssayError] = []
            yield from _generate(db, current, allowed, now, failed)
            if failed:
                yield _error(failed[0])
                return
        elif current.action == "wait" and not _wait(db, current):
            current = plan(db, who, assignment_id, body, now, rng)
            continue
        yield "done", _finish(db, current, now)
        return
    yield _error(ModelError("the turn could not be generated"))


def _finish(db: Database, plan_: Plan, now: Callable[[], datetime]) -> dict[str, Any]:
    """Record the turn for the assignment (when planning or filling did not) and show it."""
    if plan_.action == "filled":
        assert plan_.view is not None
        return plan_.view
    if plan_.action != "ready":
        plan_.action = "ready"
        return db.write(lambda s: service.record_and_view(s, plan_, now()))
    with db.read() as session:
        return service.turn_view(session, plan_)


def _wait(db: Database, plan_: Plan) -> bool:
    """Wait for another request's generation: true once it is done, false when it is gone
    (failed) or its claim went stale (plan again: this request may take it over)."""
    deadline = time.monotonic() + plan_.stale_after_s + 1.0
    while time.monotonic() < deadline:
        with db.read() as session:
            state, _ = service.generation_state(session, plan_)
        if state == "done":
            return True
        if state == "gone":
            return False
        time.sleep(_POLL_S)
    return False


def _generate(db: Database, plan_: Plan, allowed: tuple[str, ...],
              now: Callable[[], datetime], failed: list[AssayError]) -> Iterator[Event]:
    """Call each candidate's model at once, streaming; yield the deltas as they come. On
    success the replies are stored (or, when a takeover won, the other's are shown)."""
    inbox: queue.Queue[tuple[str, str | None, AssayError | None]] = queue.Queue()
    replies: dict[str, tuple[str, str]] = {}
    streams: list[calls.Stream] = []
    lock = threading.Lock()

    def run(candidate_id: str, model_id: str) -> None:
        try:
            target = calls.Target(plan_.org_id, model_id, plan_.project_id)
            reply = calls.Stream(db, target, plan_.messages, allowed=allowed, now=now,
                                 record_success=False)
            with lock:
                streams.append(reply)
            for delta in reply:
                inbox.put((candidate_id, delta, None))
            with lock:
                replies[candidate_id] = (model_id, reply.outcome.content)
            inbox.put((candidate_id, None, None))
        except AssayError as exc:
            inbox.put((candidate_id, None, exc))
        except Exception as exc:  # a worker hears model_error, never a 500
            inbox.put((candidate_id, None, ModelError(f"unexpected failure: {exc!r}")))

    pending = len(plan_.calls)
    with ThreadPoolExecutor(max_workers=pending) as pool:
        for candidate_id, model_id in plan_.calls:
            pool.submit(run, candidate_id, model_id)
        while pending:
            candidate_id, delta, error = inbox.get()
            if error is not None:
                failed.append(error)
                pending -= 1
            elif delta is None:
                pending -= 1
            elif not failed:
                yield "delta", {"candidate": candidate_id, "delta": delta}
    if failed:
        def forget(session: Session) -> None:
            for reply in streams:  # the failed ones recorded themselves
                if reply.outcome.status == "ok":
                    reply.record_in(session, now())
            service.release(session, plan_)

        db.write(forget)
        return
    stored = {cid: (mid, replies[cid][1]) for cid, mid in plan_.calls}
    # One write records the calls, stores the replies, records the turn for this
    # assignment and shows it.
    def store(session: Session) -> dict[str, Any] | None:
        for reply in streams:
            reply.record_in(session, now())
        if not service.fill(session, plan_, stored, now()):
            return None
        return service.record_and_view(session, plan_, now())

    view = db.write(store)
    if view:
        plan_.action, plan_.view = "filled", view
    else:
        plan_.action = "wait"
        if not _wait(db, plan_):
            failed.append(ModelError("the turn was taken over and failed"))
