"""The job runner: a thread that claims due jobs and runs their handlers.

Handlers are registered by kind. A handler gets the database, the settings and the claimed
job; it records its own outcome (finish, retry later or fail) in its own transaction.
A batch handler gets all the due jobs of its kind claimed in one round (up to
``batch_limit``) and records their outcomes together (callbacks: tasks/jobs.py); while its
rounds come back full the runner claims again without waiting for the next poll.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.orm import Session

from assay.clock import Clock, SystemClock
from assay.db.engine import Database
from assay.jobs import queue
from assay.jobs.queue import ClaimedJob
from assay.settings import Settings

log = logging.getLogger("assay.jobs")

Handler = Callable[[Database, Settings, ClaimedJob], None]
BatchHandler = Callable[[Database, Settings, list[ClaimedJob]], None]


class JobRunner:
    def __init__(self, db: Database, settings: Settings, handlers: dict[str, Handler],
                 periodic: list[tuple[Callable[[Database], object], float]] | None = None,
                 workers: int = 4, clock: Clock | None = None,
                 batch_handlers: dict[str, BatchHandler] | None = None,
                 batch_limit: int = 128) -> None:
        self.db = db
        self.batch_handlers = batch_handlers or {}
        self.batch_limit = batch_limit
        # The clock jobs are due by: the same one that stamps them when they are enqueued
        # (the app's), or a job stamped by a test's clock would never come due.
        self.clock = clock or SystemClock()
        self.settings = settings
        self.handlers = handlers
        self.periodic = periodic or []  # (task, every so many seconds)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="assay-job")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="assay-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def run_once(self) -> int:
        """Claim and run the due jobs once (used by the loop and by tests)."""
        return self._round()[0]

    def _batch_lease(self) -> float:
        # A round's deliveries go out at most so many at a time to one host: the lease
        # covers the whole round sent to a single host, one timeout after another.
        per_host = max(1, self.settings.callback_concurrency_per_host)
        waves = -(-self.batch_limit // per_host)
        return self.settings.callback_timeout_s * (waves + 2) + self.settings.job_lease_slack_s

    def _round(self) -> tuple[int, bool]:
        """Run one round; returns how many jobs ran and whether a batch came back full."""
        lease = self.settings.callback_timeout_s * 3 + self.settings.job_lease_slack_s
        kinds = sorted(self.batch_handlers)

        def claim(s: Session) -> tuple[list[ClaimedJob], list[ClaimedJob]]:
            now = self.clock.now()
            batched = (queue.claim_due(s, now, self.batch_limit, self._batch_lease(),
                                       kinds=kinds) if kinds else [])
            single = queue.claim_due(s, now, 32, lease, kinds=kinds or None,
                                     other_kinds=True)
            return batched, single

        batched, claimed = self.db.write(claim)
        futures = [self._pool.submit(self._run, job) for job in claimed]
        by_kind: dict[str, list[ClaimedJob]] = {}
        for job in batched:
            by_kind.setdefault(job.kind, []).append(job)
        for kind, jobs in by_kind.items():
            try:
                self.batch_handlers[kind](self.db, self.settings, jobs)
            except Exception:  # left claimed: due again when the lease runs out
                log.exception("a round of %d %s jobs failed", len(jobs), kind)
        for future in futures:
            future.result()
        return len(claimed) + len(batched), len(batched) >= self.batch_limit

    def _run(self, job: ClaimedJob) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(self.db, self.settings, job)
        except Exception as exc:  # a broken job must not stop the runner
            log.exception("job %s (%s) failed", job.id, job.kind)
            error = repr(exc)
            self.db.write(lambda s: queue.fail(s, job.id, self.clock.now(), error))

    def _loop(self) -> None:
        due = [0.0] * len(self.periodic)
        while not self._stop.is_set():
            full = False
            try:
                full = self._round()[1]
            except Exception:
                log.exception("job runner loop error")
            for i, (task, every_s) in enumerate(self.periodic):
                now = time.monotonic()
                if now < due[i]:
                    continue
                due[i] = now + every_s
                try:
                    task(self.db)
                except Exception:
                    log.exception("periodic task %s failed", getattr(task, "__name__", task))
            if not full:
                self._stop.wait(self.settings.job_poll_s)
