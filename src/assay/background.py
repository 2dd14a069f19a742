"""The background work: one job runner, its handlers and its timers, in whichever process
runs them.

``assay serve`` runs them inside the API process (one machine; what ``assay demo`` uses);
``assay serve --no-jobs`` runs none, not even a timer; ``assay jobs`` runs only them. Any
number of each may share one PostgreSQL: jobs are claimed with ``FOR UPDATE SKIP LOCKED``
and a job claimed twice is harmless (``jobs/queue.py``), lease expiry is an idempotent
sweep, and one project's refit never runs in two processes at once (``db/locks.py``).
"""

from __future__ import annotations

import logging
import signal
import threading
from functools import partial
from typing import Any

from assay.clock import Clock, SystemClock
from assay.db.engine import Database
from assay.jobs.queue import ClaimedJob
from assay.jobs.runner import Handler, JobRunner
from assay.quality.refit import refit_due_projects
from assay.settings import Settings
from assay.tasks.erasure import RETENTION_SWEEP_S, sweep_retention
from assay.tasks.jobs import deliver_callbacks
from assay.work.repository import expire_leases

log = logging.getLogger("assay.jobs")

KINDS = ("callbacks", "lease expiry", "refits", "retention", "curation", "evaluations")


def sweep_expired_leases(db: Database, clock: Clock) -> None:
    db.write(lambda s: expire_leases(s, None, clock.now()))


# The curation and evaluation jobs (numpy, model clients) are imported by their first job,
# not at a server's start.
def run_duplicates(db: Database, settings: Settings, job: ClaimedJob, *, clock: Clock) -> None:
    from assay.curation.jobs import run_duplicates

    run_duplicates(db, settings, job, clock=clock)


def run_embeddings(db: Database, settings: Settings, job: ClaimedJob, *, clock: Clock) -> None:
    from assay.curation.jobs import run_embeddings

    run_embeddings(db, settings, job, clock=clock)


def run_evaluation_job(db: Database, settings: Settings, job: ClaimedJob, *,
                       clock: Clock) -> None:
    from assay.evaluations.jobs import run_evaluation_job

    run_evaluation_job(db, settings, job, clock=clock)


def make_runner(db: Database, settings: Settings, clock: Clock | None = None,
                metrics: Any = None) -> JobRunner:
    """The one runner of a process: job handlers by kind, and the periodic sweeps."""
    clock = clock or SystemClock()
    refit_all = partial(refit_due_projects, ray_address=settings.ray_address or None)
    refit = metrics.timed_refit(refit_all) if metrics else refit_all
    handlers: dict[str, Handler] = {"curation.duplicates": partial(run_duplicates, clock=clock),
                                    "curation.embeddings": partial(run_embeddings, clock=clock),
                                    "evaluation": partial(run_evaluation_job, clock=clock)}
    return JobRunner(db, settings, handlers,
                     batch_handlers={"callback": partial(deliver_callbacks, clock=clock)},
                     periodic=[(partial(sweep_expired_leases, clock=clock),
                                settings.expiry_sweep_s),
                               (refit, settings.refit_s),
                               (partial(sweep_retention, clock=clock), RETENTION_SWEEP_S)],
                     clock=clock)


def run_jobs(db: Database, settings: Settings, stop: threading.Event | None = None) -> None:
    """Run the background work in the foreground until SIGTERM or SIGINT (or ``stop``)."""
    stop = stop or threading.Event()
    runner = make_runner(db, settings)
    restore = []
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            restore.append((sig, signal.signal(sig, lambda *_: stop.set())))
    runner.start()
    print(f"Assay jobs running ({', '.join(KINDS)}); SIGTERM or Ctrl+C stops them.",
          flush=True)
    try:
        while not stop.wait(0.5):
            if not runner.running:
                raise RuntimeError("the job runner stopped")
    finally:
        runner.stop()
        for sig, previous in restore:
            signal.signal(sig, previous)
        log.info("jobs stopped")
