"""Near-duplicate tasks of a project: ``GET /v1/projects/{id}/duplicates`` as a job, and
cancelling the duplicates in one call.

A run reads the project's curated tasks (live, pending or completed) by keyset pages, twice
— once for every task's MinHash band keys, once for the shingle sets of the tasks in some
candidate pair — through :func:`assay.algorithms.near_duplicates.near_duplicates_streamed`,
the same code as ``assay dedup``, so the pairs and their exact Jaccard similarities are the
same as the command gives on the tasks' texts. Progress is the share of tasks the first pass
has read. Only the newest finished run's pairs are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.curation import repository
from assay.curation.config import curation_settings
from assay.db.models import CurationRun
from assay.errors import Conflict, NotFound, field_error
from assay.jobs import queue
from assay.projects import service as projects
from assay.tasks import service as tasks

JOB = "curation.duplicates"
DEFAULT_THRESHOLD = 0.8


def check_threshold(threshold: float) -> float:
    if not 0.0 < threshold <= 1.0:
        raise field_error("threshold", "must be in (0, 1]")
    return threshold


def run_object(run: CurationRun) -> dict[str, Any]:
    progress = 1.0 if run.status == "done" else (run.done / run.total if run.total else 0.0)
    return {"run": run.id, "status": run.status, "progress": round(min(progress, 1.0), 4),
            "done": run.done, "total": run.total, "failure": run.error,
            **{k: v for k, v in run.params.items() if k in ("threshold", "method", "model")}}


def find_or_start(session: Session, who: Requester, project_id: str, *, threshold: float,
                  method: str, refresh: bool, now: datetime) -> CurationRun:
    """The project's newest duplicates run for these parameters, or a new one (queued as a
    job) when there is none, the newest is for other parameters, or ``refresh``."""
    project = projects.get_project(session, who, project_id)
    latest = repository.get_latest_run(session, who.org_id, project.id, "duplicates")
    wanted = {"threshold": threshold, "method": method}
    if (latest is not None and not refresh and latest.status != "failed"
            and all(latest.params.get(k) == v for k, v in wanted.items())):
        return latest
    config = curation_settings(project)
    params = {**wanted, "text_field": config["text_field"],
              "model": config["embedding_model"] if method == "embedding" else None}
    total = repository.count_curated_tasks(session, who.org_id, project.id)
    run = repository.add_run(session, who.org_id, project.id, "duplicates", params, total,
                             now)
    queue.enqueue(session, JOB, {"run": run.id, "org": who.org_id}, now)
    auditlog.record(session, who, "duplicates.run", run.id, at=now)
    return run


def list_pairs(session: Session, who: Requester, run_id: str, after: str | None,
               limit: int) -> tuple[list[dict[str, Any]], list[str]]:
    rows = repository.list_pairs(session, who.org_id, run_id, after, limit + 1)
    return ([{"a": r.task_a, "b": r.task_b, "similarity": r.similarity} for r in rows],
            [r.id for r in rows])


def cancel_duplicates(session: Session, who: Requester, project_id: str,
                      now: datetime) -> dict[str, Any]:
    """Cancel the newer task of every pair the project's newest finished run found (the
    oldest of each group of duplicates stays). A task that has answers, or is no longer
    pending, is left as it is and reported."""
    project = projects.get_project(session, who, project_id)
    run = repository.get_latest_run(session, who.org_id, project.id, "duplicates",
                                    done_only=True)
    if run is None:
        raise Conflict("no duplicates run has finished for this project yet: GET "
                       "/v1/projects/{id}/duplicates starts one", code="no_duplicates")
    canceled: list[str] = []
    kept: list[dict[str, str]] = []
    seen: set[str] = set()
    for _, b in repository.list_pair_tasks(session, who.org_id, run.id):
        if b in seen:
            continue
        seen.add(b)
        try:
            task = tasks.get_task(session, who, b, for_update=True)
            if task.status == "canceled":
                continue
            tasks.cancel_task(session, who, b)
        except NotFound:
            continue
        except Conflict:
            kept.append({"task": b, "reason": f"{task.status} with answers"})
            continue
        auditlog.record(session, who, "task.cancel", b, at=now)
        canceled.append(b)
    return {"run": run.id, "canceled": canceled, "not_canceled": kept}

