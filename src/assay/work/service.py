"""The work queue: leasing the next task, submitting, skipping, completing.

Every operation is one transaction. The overlap rule holds because the task row is locked
(``FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) while ``slots_taken`` is
checked and changed; a (task, worker) pair can be leased once, ever (a unique constraint).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.accounts.service import WorkerPrincipal
from assay.clock import isoformat
from assay.db.models import Assignment, Project, Response, Task, Worker
from assay.errors import Conflict, NotFound, RateLimited
from assay.ids import new_id
from assay.kinds import get_kind
from assay.kinds.base import KindValidationError
from assay.projects.service import kind_error
from assay.work import repository
from assay.work.completion import complete_task


def _worker(session: Session, who: WorkerPrincipal) -> Worker:
    worker = session.get(Worker, who.worker_id)
    if worker is None:
        raise NotFound("worker does not exist")
    return worker


def offer(assignment: Assignment, task: Task, project: Project) -> dict[str, Any]:
    """What a worker sees of a task: never its result, its other answers or its metadata."""
    return {
        "assignment_id": assignment.id,
        "project": project.id,
        "kind": project.kind,
        "instructions": project.instructions,
        "params": project.params,
        "data": task.data,
        "expires_at": isoformat(assignment.expires_at),
    }


def lease_next(session: Session, who: WorkerPrincipal, project_id: str | None,
               now: datetime) -> dict[str, Any] | None:
    worker = _worker(session, who)
    if project_id is not None:
        project = repository.get_project_for_worker(session, worker, project_id)
        if project is None:
            raise NotFound(f"project {project_id} does not exist")
        project_ids = [project.id]
    else:
        project_ids = list(session.scalars(repository.eligible_projects(worker)))
        if not project_ids:
            return None
    live = repository.get_live_assignment(session, worker.id, project_ids, now)
    if live is not None:
        return offer(live, session.get_one(Task, live.task_id),
                     session.get_one(Project, live.project_id))
    repository.expire_leases(session, project_ids, now)
    lock = session.get_bind().dialect.name == "postgresql"
    tried: list[str] = []
    for _ in range(5):
        task = repository.find_open_task(session, worker.id, project_ids, tried, lock=lock)
        if task is None:
            return None
        project = session.get_one(Project, task.project_id)
        assignment = Assignment(
            id=new_id("asg"), org_id=task.org_id, project_id=task.project_id, task_id=task.id,
            worker_id=worker.id, status="active", created_at=now,
            expires_at=now + timedelta(seconds=project.lease_seconds),
        )
        try:
            with session.begin_nested():
                session.add(assignment)
                task.slots_taken += 1
                session.flush()
        except IntegrityError:
            # The same worker raced itself to this task; look further.
            tried.append(task.id)
            session.expire(task)
            continue
        return offer(assignment, task, project)
    return None


def _open_assignment(session: Session, who: WorkerPrincipal, assignment_id: str,
                     now: datetime) -> Assignment:
    assignment = repository.get_assignment_for_worker(session, who.worker_id, assignment_id,
                                                      for_update=True)
    if assignment is None:
        raise NotFound(f"assignment {assignment_id} does not exist")
    if assignment.status == "submitted":
        raise Conflict("this assignment was already submitted", code="already_submitted")
    if assignment.status == "skipped":
        raise Conflict("this assignment was skipped", code="assignment_closed")
    if assignment.status == "expired" or assignment.expires_at <= now:
        raise Conflict("this assignment expired; ask for the next task",
                       {"expired_at": isoformat(assignment.expires_at)},
                       code="assignment_expired")
    return assignment


def _check_rate(session: Session, project: Project, worker_id: str, now: datetime) -> None:
    limit = (project.limits or {}).get("answers_per_minute")
    if not limit:
        return
    recent = repository.count_recent_answers(session, worker_id, project.id,
                                             now - timedelta(seconds=60))
    if recent >= limit:
        raise RateLimited(f"at most {limit} answers a minute in this project", retry_after=60)


def submit_answer(session: Session, who: WorkerPrincipal, assignment_id: str, answer: Any,
                  now: datetime) -> dict[str, Any]:
    assignment = _open_assignment(session, who, assignment_id, now)
    task = repository.get_task_locked(session, assignment.task_id)
    project = session.get_one(Project, assignment.project_id)
    if task.status == "canceled":
        raise Conflict("the task was canceled", code="task_canceled")
    _check_rate(session, project, who.worker_id, now)
    try:
        clean = get_kind(project.kind).validate_answer(project.params, task.data, answer)
    except KindValidationError as exc:
        raise kind_error(exc) from exc
    created = assignment.created_at
    session.add(Response(
        id=new_id("rsp"), org_id=task.org_id, project_id=task.project_id, task_id=task.id,
        assignment_id=assignment.id, worker_id=who.worker_id, answer=clean,
        duration_ms=max(0, int((now - created).total_seconds() * 1000)), counts=True,
        created_at=now,
    ))
    assignment.status = "submitted"
    assignment.finished_at = now
    task.n_responses += 1
    task.updated_at = now
    session.flush()
    if task.status == "pending" and task.n_responses >= task.overlap:
        complete_task(session, task, project, now)
    return {"assignment_id": assignment.id, "status": "submitted"}


def skip_assignment(session: Session, who: WorkerPrincipal, assignment_id: str,
                    reason: str | None, comment: str | None, now: datetime) -> dict[str, Any]:
    assignment = _open_assignment(session, who, assignment_id, now)
    task = repository.get_task_locked(session, assignment.task_id)
    assignment.status = "skipped"
    assignment.finished_at = now
    assignment.skip_reason = reason or "other"
    assignment.skip_comment = comment
    task.slots_taken -= 1
    session.flush()
    return {"assignment_id": assignment.id, "status": "skipped"}


def worker_standing(session: Session, who: WorkerPrincipal,
                    project_id: str | None) -> dict[str, Any]:
    worker = _worker(session, who)
    if project_id is not None and repository.get_project_for_worker(
            session, worker, project_id) is None:
        raise NotFound(f"project {project_id} does not exist")
    return {
        "worker_id": worker.id,
        "status": "active",
        "answers": repository.count_worker_answers(session, worker.id, project_id),
        "accuracy": None,
        "earned": "0",
        "balance": "0",
        "currency": "USD",
    }
