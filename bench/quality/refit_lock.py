"""How long the background refit holds the database's write lock, before and after the fit
moved onto a read snapshot.

    python bench/quality/refit_lock.py                 # 30,000 tasks x 3 answers, SQLite
    python bench/quality/refit_lock.py --tasks 100000

Builds one SQLite database with a finished fixed-overlap project (a synthetic crowd: 300
workers, 4 classes, 10% spammers, every task completed with its plurality), copies it, and
refits each copy once:

``one transaction``
    the refit as it ran until this change, everything inside one write transaction:
    ``db.write(refit_project)`` (the function still does that when it is not handed a
    prepared fit).
``snapshot + write``
    the refit as the server runs it now: ``prepare_refit`` on a read snapshot (reading
    every answer, Dawid-Skene, the collusion search, the tasks to settle again), then
    ``db.write(refit_project, prepared=...)``.

While SQLite's write lock is held no answer can be recorded, so the write figure is the
stall every worker sees. Both refits do the same work and leave the same state (checked).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_crowd

from assay.accounts import service as accounts
from assay.accounts.service import Requester
from assay.clock import utcnow
from assay.db.engine import Database
from assay.db.migrate import upgrade
from assay.db.models import Assignment, Response, Task
from assay.ids import new_id
from assay.projects import service as projects
from assay.projects.schemas import ProjectCreate
from assay.quality.refit import prepare_refit, refit_project
from assay.tasks import service as tasks
from assay.tasks.schemas import BulkCreate

LABELS = ["a", "b", "c", "d"]
CHUNK = 5_000


def build(path: Path, n_tasks: int, overlap: int, n_workers: int) -> tuple[str, str]:
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database(url)
    org = db.write(lambda s: accounts.create_org(s, "Bench"))
    who = Requester(org.org_id)
    body = ProjectCreate(name="refit", kind="categorize", params={"labels": LABELS},
                         quality={"overlap": overlap})
    project_id = db.write(lambda s: projects.create_project(s, who, body, ()).id)
    for start in range(0, n_tasks, CHUNK):
        items = [{"data": {"n": i}} for i in range(start, min(n_tasks, start + CHUNK))]
        db.write(lambda s, items=items: tasks.bulk_create(
            s, who, BulkCreate(project=project_id, tasks=items), ()))
    workers = [db.write(lambda s, i=i: accounts.create_worker(
        s, f"w{i}@bench.example", org.org_id))[0] for i in range(n_workers)]
    task_code, worker_code, label_code, _ = make_crowd(
        np.random.default_rng(7), n_tasks=n_tasks, overlap=overlap, n_workers=n_workers,
        n_classes=len(LABELS))

    def answer_all(session: Session) -> None:
        ids = list(session.scalars(select(Task.id).where(Task.project_id == project_id)
                                   .order_by(Task.id)))
        now = utcnow()
        assignments, responses = [], []
        for t, w, lab in zip(task_code.tolist(), worker_code.tolist(), label_code.tolist(),
                             strict=True):
            aid = new_id("asg")
            assignments.append({"id": aid, "org_id": org.org_id, "project_id": project_id,
                                "task_id": ids[t], "worker_id": workers[w],
                                "status": "submitted", "created_at": now, "expires_at": now,
                                "finished_at": now})
            responses.append({"id": new_id("rsp"), "org_id": org.org_id,
                              "project_id": project_id, "task_id": ids[t],
                              "assignment_id": aid, "worker_id": workers[w],
                              "answer": {"label": LABELS[lab]}, "duration_ms": 3000,
                              "counts": True, "created_at": now})
        session.execute(insert(Assignment), assignments)
        session.execute(insert(Response), responses)
        votes = np.zeros((n_tasks, len(LABELS)), dtype=np.int64)
        np.add.at(votes, (task_code, label_code), 1)
        plurality = votes.argmax(axis=1)  # ties to the first label, as the platform's
        share = votes.max(axis=1) / overlap
        session.execute(update(Task), [
            {"id": ids[t], "status": "completed", "completed_at": now,
             "n_responses": overlap, "slots_taken": overlap,
             "result": {"answer": {"label": LABELS[int(plurality[t])]},
                        "confidence": round(float(share[t]), 6), "method": "plurality",
                        "n_responses": overlap}} for t in range(n_tasks)])

    db.write(answer_all)
    db.dispose()
    return org.org_id, project_id


def state(url: str, project_id: str) -> list[tuple[str, str]]:
    db = Database(url)
    with db.read() as session:
        rows = [(task_id, (result or {}).get("method", "")) for task_id, result in
                session.execute(select(Task.id, Task.result)
                                .where(Task.project_id == project_id).order_by(Task.id))]
    db.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=30_000)
    parser.add_argument("--overlap", type=int, default=3)
    parser.add_argument("--workers", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        started = time.perf_counter()
        org_id, project_id = build(base, args.tasks, args.overlap, args.workers)
        print(f"built {args.tasks} tasks x {args.overlap} answers in "
              f"{time.perf_counter() - started:.1f} s")
        urls = {}
        for name in ("single", "split"):
            shutil.copy(base, Path(tmp) / f"{name}.db")
            urls[name] = f"sqlite:///{Path(tmp) / name}.db"

        db = Database(urls["single"])
        started = time.perf_counter()
        db.write(partial(refit_project, org_id=org_id, project_id=project_id))
        single = time.perf_counter() - started
        db.dispose()

        db = Database(urls["split"])
        started = time.perf_counter()
        with db.read() as session:
            prepared = prepare_refit(session, org_id, project_id)
        read = time.perf_counter() - started
        started = time.perf_counter()
        db.write(partial(refit_project, org_id=org_id, project_id=project_id,
                         prepared=prepared))
        write = time.perf_counter() - started
        db.dispose()

        same = state(urls["single"], project_id) == state(urls["split"], project_id)
        relabelled = sum(method == "dawid_skene" for _, method in
                         state(urls["split"], project_id))
        print(f"{'refit':20} {'write lock held s':>18} {'total s':>8}")
        print(f"{'one transaction':20} {single:18.2f} {single:8.2f}")
        print(f"{'snapshot + write':20} {write:18.2f} {read + write:8.2f}")
        print(f"write lock: {single / write:.1f}x shorter; tasks relabelled "
              f"{relabelled}; same final state: {same}")


if __name__ == "__main__":
    main()
