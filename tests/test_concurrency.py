"""Many workers at once, over real HTTP, on SQLite and PostgreSQL.

Invariants checked: no worker is handed the same task twice; at no sampled instant does a
task hold more live assignments plus answers than its overlap; every completed task has
exactly ``overlap`` answers from distinct workers; 50 concurrent submits of one assignment
record one answer.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

import httpx
from sqlalchemy import func, select

from assay.clock import utcnow
from assay.db.engine import Database
from assay.db.models import Assignment, Response, Task
from tests.support import Org, categorize_project

N_WORKERS = 32
N_TASKS = 120
OVERLAP = 3


def _over_overlap(db: Database, project_id: str) -> list[str]:
    """Tasks whose live assignments plus counted answers exceed their overlap, now."""
    now = utcnow()
    with db.read() as session:
        live = dict(session.execute(
            select(Assignment.task_id, func.count()).where(
                Assignment.project_id == project_id, Assignment.status == "active",
                Assignment.expires_at > now).group_by(Assignment.task_id)).all())
        answered = dict(session.execute(
            select(Response.task_id, func.count()).where(
                Response.project_id == project_id, Response.counts)
            .group_by(Response.task_id)).all())
        overlap = dict(session.execute(
            select(Task.id, Task.overlap).where(Task.project_id == project_id)).all())
    return [t for t in overlap if live.get(t, 0) + answered.get(t, 0) > overlap[t]]


def test_32_concurrent_workers_keep_every_invariant(org: Org, db: Database) -> None:
    project = categorize_project(org, quality={"overlap": OVERLAP}, lease_seconds=2)
    org.client.create_tasks(project["id"],
                            [{"data": {"text": f"item {i}", "n": i}} for i in range(N_TASKS)])
    workers = [org.worker() for _ in range(N_WORKERS)]
    seen: dict[int, list[int]] = {w: [] for w in range(N_WORKERS)}
    errors: list[str] = []
    violations: list[list[str]] = []
    done = threading.Event()

    def work(index: int) -> None:
        rng = random.Random(index)
        client = workers[index]
        last_assignment = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                offer = client.next(project["id"])
            except Exception as exc:
                errors.append(f"next: {exc!r}")
                return
            if offer is None:
                # Nothing for this worker now; more may come when a lease expires.
                if org.client.get_project(project["id"])["counts"]["pending"] == 0:
                    return
                time.sleep(0.3)
                continue
            if offer["assignment_id"] != last_assignment:
                seen[index].append(offer["data"]["n"])
            last_assignment = offer["assignment_id"]
            roll = rng.random()
            try:
                if roll < 0.05:
                    client.skip(offer["assignment_id"], reason="unclear")
                elif roll < 0.08:
                    time.sleep(2.2)  # abandon: the lease expires and its slot returns
                    continue
                else:
                    client.submit(offer["assignment_id"],
                                  {"label": rng.choice(["pos", "neg", "neu"])})
            except Exception as exc:
                errors.append(f"submit: {exc!r}")

    def monitor() -> None:
        while not done.is_set():
            bad = _over_overlap(db, project["id"])
            if bad:
                violations.append(bad)
            time.sleep(0.05)

    watcher = threading.Thread(target=monitor)
    watcher.start()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(N_WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    done.set()
    watcher.join()

    # Expired-assignment submits may legitimately 409; nothing else may fail.
    assert [e for e in errors if "assignment_expired" not in e] == []
    assert violations == []
    for index, items in seen.items():
        duplicated = [n for n, c in Counter(items).items() if c > 1]
        assert duplicated == [], f"worker {index} was handed {duplicated} twice"
    tasks = list(org.client.iter_tasks(project=project["id"], include_responses=True))
    assert len(tasks) == N_TASKS
    completed = [t for t in tasks if t["status"] == "completed"]
    assert len(completed) == N_TASKS, "the crowd must finish every task"
    for task in completed:
        workers_of_task = [r["worker_id"] for r in task["responses"]]
        assert len(workers_of_task) == OVERLAP
        assert len(set(workers_of_task)) == OVERLAP
        assert task["result"]["n_responses"] == OVERLAP


def test_50_concurrent_submits_of_one_assignment_record_one_answer(org: Org,
                                                                   db: Database) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": "race"})
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    token = worker._http.headers["Authorization"]
    barrier = threading.Barrier(50)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit() -> None:
        with httpx.Client(base_url=org.url, timeout=60,
                          headers={"Authorization": token}) as http:
            barrier.wait()
            response = http.post(f"/v1/work/{offer['assignment_id']}/submit",
                                 json={"answer": {"label": "pos"}})
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=submit) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(statuses) == [200] + [409] * 49
    with db.read() as session:
        n = session.scalar(select(func.count()).select_from(Response)
                           .where(Response.task_id == task["id"]))
    assert n == 1
    assert org.client.get_task(task["id"])["result"]["n_responses"] == 1
