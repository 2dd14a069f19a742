"""The job runner: a thread that claims due jobs and runs their handlers.

Handlers are registered by kind. A handler gets the database, the settings and the claimed
job; it records its own outcome (finish, retry later or fail) in its own transaction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from assay.clock import Clock, SystemClock
from assay.db.engine import Database
from assay.jobs import queue
from assay.jobs.queue import ClaimedJob
from assay.settings import Settings

log = logging.getLogger("assay.jobs")

Handler = Callable[[Database, Settings, ClaimedJob], None]


class JobRunner:
    def __init__(self, db: Database, settings: Settings, handlers: dict[str, Handler],
                 periodic: list[tuple[Callable[[Database], object], float]] | None = None,
                 workers: int = 4, clock: Clock | None = None) -> None:
        self.db = db
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
        lease = self.settings.callback_timeout_s * 3 + 30
        claimed = self.db.write(lambda s: queue.claim_due(s, self.clock.now(), 32, lease))
        futures = [self._pool.submit(self._run, job) for job in claimed]
        for future in futures:
            future.result()
        return len(claimed)

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
            try:
                self.run_once()
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
            self._stop.wait(self.settings.job_poll_s)
