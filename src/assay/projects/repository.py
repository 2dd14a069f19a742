"""Project queries, always scoped to an organization."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from assay.db.models import Project, Response, Task
from assay.db.types import AnyRow

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


# The worker side reads a project on every request: the statement is built once, and
# returns a plain row with only the columns the queue needs.
_PROJECT_ROW = select(Project.id, Project.org_id, Project.workforce, Project.kind,
                      Project.instructions, Project.params, Project.quality, Project.pay,
                      Project.lease_seconds, Project.limits,
                      Project.callback_url).where(Project.id == bindparam("key"))


def eligible_projects(worker_org_id: str | None) -> Select[str]:
    """A worker may work on the projects of their own organization's team, and — if they
    are in the shared crowd — on every ``crowd`` project."""
    if worker_org_id is not None:
        return select(Project.id).where(Project.org_id == worker_org_id)
    return select(Project.id).where(Project.workforce == "crowd")


def get_project_for_worker(session: Session, worker_org_id: str | None,
                           project_id: str) -> AnyRow | None:
    """The project as a worker of ``worker_org_id`` (None: the crowd) may see it, or None."""
    row = session.connection().execute(_PROJECT_ROW, {"key": project_id}).first()
    if row is None:
        return None
    if worker_org_id is not None:
        return row if row.org_id == worker_org_id else None
    return row if row.workforce == "crowd" else None


def get_project_row(session: Session, project_id: str) -> AnyRow:
    """A project the caller already holds a reference to (a task's, an assignment's)."""
    return session.connection().execute(_PROJECT_ROW, {"key": project_id}).one()
