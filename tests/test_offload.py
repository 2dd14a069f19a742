"""The refit's fits on Ray (issue 15, ASSAY_RAY_ADDRESS): a local Ray instance started by the
test runs them in other processes, and the estimates stored are the ones a refit in this
process stores (SQLite and PostgreSQL). The ``ray`` extra is part of the dev extra, so this
never skips where the suite's own install ran."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from assay.clock import ManualClock
from assay.db.engine import Database
from assay.db.models import ProjectWorker
from assay.jobs import offload
from assay.quality.refit import refit_due_projects
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
