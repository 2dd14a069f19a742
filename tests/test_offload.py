"""The refit's fits and the curation jobs on Ray (issue 15, ASSAY_RAY_ADDRESS): a local Ray
instance started by the test runs them in other processes, and what is stored is what the
same work in this process stores (SQLite and PostgreSQL): the refit's estimates, a
duplicates run's pairs (MinHash hashing and verification), an embeddings run's vectors.
The ``ray`` extra is part of the dev extra, so this never skips where the suite's own
install ran."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from assay.accounts.service import Requester, authenticate_api_key
from assay.clock import ManualClock
from assay.curation import duplicates, repository
from assay.curation.embedders import HashingEmbedder
from assay.curation.embeddings import decode_vector, ensure_embeddings
from assay.curation.jobs import run_duplicates, run_embeddings
from assay.db.engine import Database
from assay.db.models import ProjectWorker
from assay.jobs import offload, queue
from assay.quality.refit import refit_due_projects
from assay.settings import Settings
from tests.support import InProcessServer, Org, make_org


def _pid_and_double(x: int) -> tuple[int, int]:
    return os.getpid(), 2 * x


@pytest.fixture(scope="module")
def local_ray() -> Iterator[str]:
    yield "local"
    offload.shutdown()


def test_map_calls_runs_here_without_an_address() -> None:
    assert offload.map_calls(_pid_and_double, [1, 2]) == [(os.getpid(), 2), (os.getpid(), 4)]
    assert offload.map_calls(_pid_and_double, []) == []


def test_map_calls_runs_on_ray_in_other_processes(local_ray: str) -> None:
    before = offload.ran_on_ray
    results = offload.map_calls(_pid_and_double, [1, 2, 3], local_ray)
    assert [doubled for _, doubled in results] == [2, 4, 6]
    assert all(pid != os.getpid() for pid, _ in results)
    assert offload.ran_on_ray == before + 3


def _project_with_answers(org: Org, workers: list, name: str) -> str:
    """15 tasks answered by three workers: two mostly agree, the third is often wrong."""
    project = org.client.create_project(name=name, kind="categorize",
                                        params={"labels": ["a", "b"]},
                                        quality={"overlap": 3})
    org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}"}} for i in range(15)])
    for w, worker in enumerate(workers):
        for _ in range(15):
            offer = worker.next(project["id"])
            assert offer is not None
            n = int(offer["data"]["text"][1:])
            right = "a" if n % 3 else "b"
            wrong = (w == 2 and n % 2 == 0) or (w == 1 and n == 7)
            worker.submit(offer["assignment_id"], {"label": ("b" if right == "a" else "a")
                                                   if wrong else right})
    return str(project["id"])


def _estimates(db: Database, project_id: str) -> list[tuple[str, float | None]]:
    with db.read() as session:
        rows = session.execute(select(ProjectWorker.worker_id, ProjectWorker.model_accuracy)
                               .where(ProjectWorker.project_id == project_id)
                               .order_by(ProjectWorker.worker_id)).all()
    return [(worker_id, accuracy) for worker_id, accuracy in rows]


def test_a_refit_on_ray_stores_what_a_refit_here_stores(db: Database, db_url: str,
                                                        local_ray: str) -> None:
    server = InProcessServer(db_url, ManualClock()).start()  # no job runner of its own
    try:
        org = make_org(server.url, db, "Ray")
        workers = [org.worker() for _ in range(3)]
        here = _project_with_answers(org, workers, "here")
        assert refit_due_projects(db) >= 1  # in this process
        there = _project_with_answers(org, workers, "there")
    finally:
        server.stop()
    before = offload.ran_on_ray
    assert refit_due_projects(db, ray_address=local_ray) >= 1
    assert offload.ran_on_ray > before  # the fit went to Ray
    mine, theirs = _estimates(db, here), _estimates(db, there)
    assert [w for w, _ in mine] == [w for w, _ in theirs] and len(mine) == 3
    assert all(a is not None for _, a in mine)
    assert [a for _, a in mine] == pytest.approx([a for _, a in theirs], abs=1e-9)
    assert min(a for _, a in mine if a is not None) < max(a for _, a in mine if a is not None)


def _docs() -> list[str]:
    """60 texts of 40 words; texts 40..59 repeat texts 0..19 with their last word changed
    (Jaccard of word 5-gram shingles 35/37 = 0.95)."""
    words = [f"w{i}" for i in range(500)]
    texts = [" ".join(words[(i * 37 + j * 11) % 500] for j in range(40)) for i in range(40)]
    return texts + [t.rsplit(" ", 1)[0] + " changed" for t in texts[:20]]


def _run_jobs(db: Database, clock: ManualClock, settings: Settings) -> int:
    """Run the due curation jobs here, as the job runner would; returns how many."""
    handlers = {"curation.duplicates": run_duplicates, "curation.embeddings": run_embeddings}
    jobs = db.write(lambda s: queue.claim_due(s, clock.now(), 10, 60.0, kinds=list(handlers)))
    for job in jobs:
        handlers[job.kind](db, settings, job, clock=clock)
    return len(jobs)


def _requester(db: Database, org: Org) -> Requester:
    with db.read() as session:
        who = authenticate_api_key(session, org.api_key)
    assert who is not None
    return who


def _pairs(db: Database, who: Requester, project_id: str, *, clock: ManualClock,
           settings: Settings) -> list[tuple[str, str, float]]:
    org_id = who.org_id
    run = db.write(lambda s: duplicates.find_or_start(s, who, project_id, threshold=0.8,
                                                      method="minhash", refresh=True,
                                                      now=clock.now()))
    assert _run_jobs(db, clock, settings) == 1
    with db.read() as session:
        rows = repository.list_pairs(session, org_id, run.id, None, 1000)
        assert repository.get_run(session, org_id, run.id).status == "done"  # type: ignore
    return [(r.task_a, r.task_b, r.similarity) for r in rows]


def test_curation_jobs_on_ray_store_what_they_store_here(db: Database, db_url: str,
                                                          local_ray: str) -> None:
    clock = ManualClock()
    server = InProcessServer(db_url, clock).start()  # no job runner of its own
    try:
        org = make_org(server.url, db, "Ray curation")
        project = org.client.create_project(name="docs", kind="categorize",
                                            params={"labels": ["a", "b"]},
                                            curation={"embedding_model": "hashing"})["id"]
        texts = _docs()
        org.client.create_tasks(project, [{"data": {"text": t}} for t in texts])
    finally:
        server.stop()
    who = _requester(db, org)
    here = _pairs(db, who, project, clock=clock, settings=Settings())
    before = offload.ran_on_ray
    there = _pairs(db, who, project, clock=clock, settings=Settings(ray_address="local"))
    assert offload.ran_on_ray > before  # the hashing and the verification went to Ray
    assert len(here) == 20 and there == here

    with db.read() as session:
        row = duplicates.projects.get_project(session, who, project)
    assert db.write(lambda s: ensure_embeddings(s, who, row, clock.now())) is not None
    before = offload.ran_on_ray
    assert _run_jobs(db, clock, Settings(ray_address="local")) == 1
    assert offload.ran_on_ray > before
    embedder = HashingEmbedder()
    with db.read() as session:
        stored = repository.list_embeddings(session, org.org_id, project, embedder.name)
        data = repository.list_data_by_ids(session, org.org_id, [r.task_id for r in stored])
    assert len(stored) == len(texts)
    got = [decode_vector(r.vector) for r in stored]
    want = embedder.embed([data[r.task_id]["text"] for r in stored])
    assert [v.tolist() for v in got] == [v.tolist() for v in want.astype("<f4")]
