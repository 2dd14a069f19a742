"""Curation jobs: a duplicates run over a project's tasks (and, in embeddings.py, the
embedding of its texts). A job carries the run's id and its organization and loads its own
rows; each page of tasks is read in its own short read transaction and progress written in
its own short write, so neither database waits on a long run. A run claimed twice (its
runner died) is harmless: only the first to finish stores its pairs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from assay.algorithms.near_duplicates import near_duplicates_streamed
from assay.clock import Clock
from assay.curation import repository
from assay.curation.embeddings import compute_embeddings, duplicates_by_embedding
from assay.curation.text import task_text
from assay.db.engine import Database
from assay.jobs import offload, queue
from assay.jobs.queue import ClaimedJob
from assay.settings import Settings

log = logging.getLogger("assay.jobs")

PAGE = 2000
"""Tasks read per transaction (and hashed per batch)."""
HEARTBEAT_S = 10.0
LEASE_S = 60.0
"""While a run works, its job's lease is pushed ``LEASE_S`` ahead every ``HEARTBEAT_S``."""
SEED = 20_140_901
"""The permutations' seed, as ``assay dedup``'s: the same texts give the same pairs."""


Work = Callable[[str, str, str, dict[str, Any]], Callable[[Session], None] | None]


def _run(db: Database, job: ClaimedJob, clock: Clock, work: Work) -> None:
    """Load the job's run; unless it is no longer running, do ``work(org, project, run,
    params)``, which returns what to write as the run finishes (or None). A failure marks
    the run and the job failed with its error."""
    run_id, org_id = job.payload["run"], job.payload["org"]
    with db.read() as session:
        run = repository.get_run(session, org_id, run_id)
        params = dict(run.params) if run is not None else {}
        project_id = run.project_id if run is not None else ""
        running = run is not None and run.status == "running"
    if not running:
        db.write(lambda s: queue.finish(s, job.id, clock.now()))
        return
    stop = threading.Event()

    def heartbeat() -> None:  # a run may outlast the runner's lease: keep it claimed
        while not stop.wait(HEARTBEAT_S):
            try:
                db.write(lambda s: queue.extend_lease(s, job.id, clock.now(), LEASE_S))
            except Exception:  # the next beat tries again
                log.exception("could not extend the lease of job %s", job.id)

    beat = threading.Thread(target=heartbeat, name=f"lease-{job.id}", daemon=True)
    beat.start()
    try:
        store = work(org_id, project_id, run_id, params)
    except Exception as exc:
        stop.set()
        error = f"{type(exc).__name__}: {exc}"[:2000]

        def failed(s: Session) -> None:
            repository.finish_run(s, org_id, run_id, "failed", clock.now(), error)
            queue.fail(s, job.id, clock.now(), error)

        db.write(failed)
        return

    stop.set()

    def finished(s: Session) -> None:
        if repository.finish_run(s, org_id, run_id, "done", clock.now()) and store:
            store(s)
        queue.finish(s, job.id, clock.now())

    db.write(finished)


def run_duplicates(db: Database, settings: Settings, job: ClaimedJob, *, clock: Clock) -> None:
    ray = settings.ray_address or None

    def work(org_id: str, project_id: str, run_id: str,
             params: dict[str, Any]) -> Callable[[Session], None]:
        if params.get("method") == "embedding":
            pairs = duplicates_by_embedding(db, org_id, project_id, params, clock, ray)
        else:
            pairs = _minhash_pairs(db, org_id, project_id, run_id, params, clock, ray)

        def store(s: Session) -> None:
            repository.insert_pairs(s, org_id, project_id, run_id, pairs)
            repository.delete_project_pairs(s, org_id, project_id, run_id)

        return store

    _run(db, job, clock, work)


def run_embeddings(db: Database, settings: Settings, job: ClaimedJob, *, clock: Clock) -> None:
    def work(org_id: str, project_id: str, run_id: str, params: dict[str, Any]) -> None:
        compute_embeddings(db, org_id, project_id, run_id, params, clock,
                           settings.ray_address or None)

    _run(db, job, clock, work)


def _minhash_pairs(db: Database, org_id: str, project_id: str, run_id: str,
                   params: dict[str, Any], clock: Clock,
                   ray_address: str | None = None) -> list[tuple[str, str, float]]:
    field = str(params.get("text_field") or "text")
    threshold = float(params["threshold"])
    ids: list[str] = []

    def batches() -> Iterator[list[str]]:
        after = ""
        while True:
            with db.read() as session:
                rows = repository.list_curated_data(session, org_id, project_id, after, PAGE)
            if not rows:
                return
            ids.extend(row.id for row in rows)
            yield [task_text(row.data, field) for row in rows]
            after = rows[-1].id
            db.write(partial(repository.set_run_progress, org_id=org_id, run_id=run_id,
                             done=len(ids), now=clock.now()))

    def fetch(docs: np.ndarray) -> Iterator[Sequence[str]]:
        for start in range(0, docs.size, PAGE):
            chunk = [ids[i] for i in docs[start:start + PAGE].tolist()]
            with db.read() as session:
                data = repository.list_data_by_ids(session, org_id, chunk)
            yield [task_text(data.get(task_id, {}), field) for task_id in chunk]

    # With ASSAY_RAY_ADDRESS the hashing of each page runs on Ray; the reads stay here.
    found = near_duplicates_streamed(
        batches(), fetch, threshold, rng=np.random.default_rng(SEED),
        mapper=partial(offload.map_calls, address=ray_address) if ray_address else None)
    return [(ids[a], ids[b], s) for a, b, s in zip(found.a.tolist(), found.b.tolist(),
                                                   found.similarity.tolist(), strict=True)]
