"""Queries of the work queue. Worker-side lookups are scoped to the worker."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, exists, func, select, update
from sqlalchemy.orm import Session

from assay.db.models import Assignment, Project, Response, Task, Worker


def eligible_projects(worker: Worker) -> Select[str]:
    """A worker may work on the projects of their own organization's team, and — if they
    are in the shared crowd — on every ``crowd`` project."""
    if worker.org_id is not None:
        return select(Project.id).where(Project.org_id == worker.org_id)
    return select(Project.id).where(Project.workforce == "crowd")


def get_project_for_worker(session: Session, worker: Worker, project_id: str) -> Project | None:
    project = session.get(Project, project_id)
    if project is None:
        return None
    if worker.org_id is not None:
        return project if project.org_id == worker.org_id else None
    return project if project.workforce == "crowd" else None


def get_live_assignment(session: Session, worker_id: str, project_ids: Sequence[str] | None,
                        now: datetime) -> Assignment | None:
    stmt = select(Assignment).where(
        Assignment.worker_id == worker_id, Assignment.status == "active",
        Assignment.expires_at > now,
    )
    if project_ids is not None:
        stmt = stmt.where(Assignment.project_id.in_(project_ids))
    return session.scalars(stmt.order_by(Assignment.id).limit(1)).first()


def get_assignment_for_worker(session: Session, worker_id: str, assignment_id: str, *,
                              for_update: bool = False) -> Assignment | None:
    stmt = select(Assignment).where(Assignment.id == assignment_id,
                                    Assignment.worker_id == worker_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def get_task_locked(session: Session, task_id: str) -> Task:
    task = session.scalars(select(Task).where(Task.id == task_id).with_for_update()).one()
    return task


def expire_leases(session: Session, project_ids: Sequence[str] | None, now: datetime) -> int:
    """Mark overdue assignments expired and give their slots back; returns how many.

    The conditional UPDATE makes two concurrent sweeps harmless: each assignment is
    expired, and its slot returned, exactly once."""
    stmt = update(Assignment).where(Assignment.status == "active", Assignment.expires_at <= now)
    if project_ids is not None:
        stmt = stmt.where(Assignment.project_id.in_(project_ids))
    task_ids = session.scalars(
        stmt.values(status="expired", finished_at=now).returning(Assignment.task_id),
        execution_options={"synchronize_session": False},
    ).all()
    for task_id, n in sorted(Counter(task_ids).items()):
        session.execute(update(Task).where(Task.id == task_id)
                        .values(slots_taken=Task.slots_taken - n),
                        execution_options={"synchronize_session": False})
    return len(task_ids)


def find_open_task(session: Session, worker_id: str, project_ids: Sequence[str],
                   skip_ids: Sequence[str], *, lock: bool) -> Task | None:
    """The next task this worker may take: open, not held, a free slot, never seen by this
    worker; highest priority first, then oldest. On PostgreSQL the row is locked and rows
    locked by concurrent leases are skipped."""
    seen = exists().where(Assignment.task_id == Task.id, Assignment.worker_id == worker_id)
    stmt = (
        select(Task)
        .where(Task.project_id.in_(project_ids), Task.status == "pending",
               Task.held.is_(False), Task.slots_taken < Task.overlap, ~seen)
        .order_by(Task.priority.desc(), Task.id)
        .limit(1)
    )
    if skip_ids:
        stmt = stmt.where(Task.id.not_in(skip_ids))
    if lock:
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalars(stmt).first()


def count_recent_answers(session: Session, worker_id: str, project_id: str,
                         since: datetime) -> int:
    return session.scalar(
        select(func.count()).select_from(Response).where(
            Response.worker_id == worker_id, Response.project_id == project_id,
            Response.created_at > since,
        )
    ) or 0


def list_counted_answers(session: Session, task_id: str) -> list[Response]:
    return list(session.scalars(
        select(Response).where(Response.task_id == task_id, Response.counts)
        .order_by(Response.id)
    ))


def count_worker_answers(session: Session, worker_id: str, project_id: str | None) -> int:
    stmt = select(func.count()).select_from(Response).where(Response.worker_id == worker_id)
    if project_id is not None:
        stmt = stmt.where(Response.project_id == project_id)
    return session.scalar(stmt) or 0

