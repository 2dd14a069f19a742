"""Project queries, always scoped to an organization."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.db.models import Project, Response, Task

TASK_STATUSES = ("pending", "completed", "canceled", "error")


def get_project(session: Session, org_id: str, project_id: str, *,
                for_update: bool = False) -> Project | None:
    stmt = select(Project).where(Project.id == project_id, Project.org_id == org_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def list_projects(session: Session, org_id: str, after: str | None, limit: int) -> list[Project]:
    stmt = select(Project).where(Project.org_id == org_id)
    if after:
        stmt = stmt.where(Project.id > after)
    return list(session.scalars(stmt.order_by(Project.id).limit(limit)))


def count_tasks_by_status(session: Session, org_id: str,
                          project_ids: list[str]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TASK_STATUSES, 0))
    if not project_ids:
        return {}
    rows = session.execute(
        select(Task.project_id, Task.status, func.count())
        .where(Task.org_id == org_id, Task.project_id.in_(project_ids),
               Task.purpose == "live")
        .group_by(Task.project_id, Task.status)
    )
    for project_id, status, n in rows:
        counts[project_id][status] = n
    return {pid: counts[pid] for pid in project_ids}


def list_used_labels_answers(session: Session, org_id: str, project_id: str,
                             chunk: int = 5000) -> list[dict[str, object]]:
    """Every counted answer of a project (used when a PATCH would remove labels)."""
    stmt = select(Response.answer).where(
        Response.org_id == org_id, Response.project_id == project_id
    ).execution_options(yield_per=chunk)
    return list(session.scalars(stmt))
