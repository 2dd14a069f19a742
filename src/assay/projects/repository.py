"""Project queries, always scoped to an organization."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from assay.db.jsoncodec import dumps_json
from assay.db.models import Project, Response, Task
from assay.db.statuses import LIVE_TASK_STATUS_NAMES
from assay.db.types import AnyRow

TASK_STATUSES = LIVE_TASK_STATUS_NAMES


def get_project(session: Session, org_id: str | None, project_id: str, *,
                for_update: bool = False, key_share: bool = False) -> Project | None:
    """The organization's project, or None. ``org_id`` None reads any organization's:
    only the operator's commands pass it (``service.get_project_as_operator``).
    ``key_share`` locks FOR NO KEY UPDATE rather than FOR UPDATE (PostgreSQL): the lock
    still excludes the project's other writers, while rows that reference the project
    (their foreign key takes KEY SHARE) may be written meanwhile."""
    stmt = select(Project).where(Project.id == project_id, Project.erased_at.is_(None))
    if org_id is not None:
        stmt = stmt.where(Project.org_id == org_id)
    if for_update:
        stmt = stmt.with_for_update(key_share=key_share)
    return session.scalars(stmt).first()


def list_projects(session: Session, org_id: str, after: str | None, limit: int) -> list[Project]:
    stmt = select(Project).where(Project.org_id == org_id, Project.erased_at.is_(None))
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
    """Every answer of a project but erased ones (used when a PATCH would remove labels)."""
    erased = select(Task.id).where(Task.org_id == org_id, Task.project_id == project_id,
                                   Task.purpose == "erased")
    stmt = select(Response.answer).where(
        Response.org_id == org_id, Response.project_id == project_id,
        Response.task_id.not_in(erased)
    ).execution_options(yield_per=chunk)
    return list(session.scalars(stmt))


# The worker side reads a project on every request: the statement is built once, and
# returns a plain row with only the columns the queue needs.
_PROJECT_ROW = select(Project.id, Project.org_id, Project.workforce, Project.kind,
                      Project.instructions, Project.params, Project.quality, Project.pay,
                      Project.lease_seconds, Project.limits,
                      Project.callback_url, Project.sensitivity,
                      Project.erased_at, Project.curation).where(Project.id == bindparam("key"))
_PROJECT_ROW_OF_ORG = _PROJECT_ROW.where(Project.org_id == bindparam("org"))


def _eligible_projects(worker_org_id: str | None, levels: Sequence[str]) -> Select[str]:
    """A worker may work on the projects of their own organization's team, and — if they
    are in the shared crowd — on every ``crowd`` project; of those, the ones whose
    sensitivity is in ``levels`` (the worker's clearances, ``sensitivity.visible_levels``)."""
    live = (Project.erased_at.is_(None), Project.sensitivity.in_(list(levels)))
    if worker_org_id is not None:
        return select(Project.id).where(Project.org_id == worker_org_id, *live)
    return select(Project.id).where(Project.workforce == "crowd", *live)


def list_eligible_project_ids(session: Session, worker_org_id: str | None,
                              levels: Sequence[str]) -> list[str]:
    """The ids of the projects a worker of ``worker_org_id`` may work on."""
    return list(session.scalars(_eligible_projects(worker_org_id, levels)))


def get_project_for_worker(session: Session, worker_org_id: str | None, project_id: str,
                           levels: Sequence[str]) -> AnyRow | None:
    """The project as a worker of ``worker_org_id`` (None: the crowd) cleared for
    ``levels`` may see it, or None."""
    row = session.connection().execute(_PROJECT_ROW, {"key": project_id}).first()
    if row is None or row.erased_at is not None or row.sensitivity not in levels:
        return None
    if worker_org_id is not None:
        return row if row.org_id == worker_org_id else None
    return row if row.workforce == "crowd" else None


def get_project_row(session: Session, org_id: str, project_id: str) -> AnyRow:
    """A project the caller already holds a reference to (a task's, an assignment's, with
    its organization)."""
    return session.connection().execute(_PROJECT_ROW_OF_ORG,
                                        {"key": project_id, "org": org_id}).one()


def list_worker_projects(session: Session, worker_org_id: str | None, levels: Sequence[str],
                         project_id: str | None = None) -> list[Project]:
    """The projects a worker of ``worker_org_id`` (None: the crowd) cleared for ``levels``
    may open (only ``project_id``, when given), as ORM rows for the worker's pages."""
    stmt = select(Project).where(Project.id.in_(_eligible_projects(worker_org_id, levels)))
    if project_id is not None:
        stmt = stmt.where(Project.id == project_id)
    return list(session.scalars(stmt.order_by(Project.id)))


def set_pending_overlap(session: Session, org_id: str, project_id: str, overlap: int) -> None:
    """The project's pending tasks ask for ``overlap`` answers (its overlap changed)."""
    session.execute(update(Task).where(Task.org_id == org_id, Task.project_id == project_id,
                                       Task.status == "pending").values(overlap=overlap))


# The dashboard's figures (``figures.py`` shapes them). Hourly series are ``hours``
# buckets of one hour from ``start``.

HOUR = timedelta(hours=1)


def _id_floor(prefix: str, moment: datetime) -> str:
    """The smallest id a row created at ``moment`` can have (ids start with their creation
    time in microseconds, see ``assay.ids``), so a time window is also an index range."""
    return f"{prefix}_{int(moment.timestamp() * 1_000_000):014x}"


def _buckets(column: InstrumentedAttribute[Any], start: datetime,
             hours: int) -> list[ColumnElement[Any]]:
    """One ``SUM(CASE ...)`` per hour: portable between SQLite and PostgreSQL."""
    return [
        func.coalesce(func.sum(case(
            (and_(column >= start + i * HOUR, column < start + (i + 1) * HOUR), 1),
            else_=0)), 0)
        for i in range(hours)
    ]


def count_answers_by_hour(session: Session, org_id: str, project_id: str, start: datetime,
                          hours: int) -> list[int]:
    """Answers submitted to the project's live tasks in each hour from ``start``."""
    end = start + hours * HOUR
    row = session.execute(
        select(*_buckets(Response.created_at, start, hours))
        .join(Task, Task.id == Response.task_id)
        .where(Response.org_id == org_id, Response.project_id == project_id,
               Response.id >= _id_floor("rsp", start - HOUR), Response.created_at >= start,
               Response.created_at < end, Task.purpose == "live")
    ).one()
    return [int(v) for v in row]


def count_completions_by_hour(session: Session, org_id: str, project_id: str,
                              start: datetime, hours: int) -> list[int]:
    """Tasks that completed (and are still completed) in each hour from ``start``."""
    end = start + hours * HOUR
    row = session.execute(
        select(*_buckets(Task.completed_at, start, hours))
        .where(Task.org_id == org_id, Task.project_id == project_id, Task.purpose == "live",
               Task.status == "completed", Task.completed_at >= start,
               Task.completed_at < end)
    ).one()
    return [int(v) for v in row]


def count_recent_answers(session: Session, org_id: str, since: datetime,
                         project_ids: Sequence[str] | None) -> dict[str, tuple[int, datetime]]:
    """Per project: answers to live tasks submitted since ``since`` and when the first of
    them came."""
    stmt = (select(Response.project_id, func.count(), func.min(Response.created_at))
            .join(Task, Task.id == Response.task_id)
            .where(Response.org_id == org_id, Response.id >= _id_floor("rsp", since - HOUR),
                   Response.created_at >= since, Task.purpose == "live")
            .group_by(Response.project_id))
    if project_ids is not None:
        stmt = stmt.where(Response.project_id.in_(list(project_ids)))
    return {pid: (int(n), first) for pid, n, first in session.execute(stmt)}


def count_answers_left(session: Session, org_id: str,
                       project_ids: Sequence[str]) -> dict[str, int]:
    """Per project: answers still needed by its pending live tasks at their current overlap."""
    missing = case((Task.overlap > Task.n_responses, Task.overlap - Task.n_responses), else_=0)
    rows = session.execute(
        select(Task.project_id, func.coalesce(func.sum(missing), 0))
        .where(Task.org_id == org_id, Task.project_id.in_(list(project_ids)),
               Task.purpose == "live", Task.status == "pending")
        .group_by(Task.project_id)
    )
    return {pid: int(n) for pid, n in rows}


def count_answers_by_value(session: Session, org_id: str,
                           project_id: str) -> list[tuple[dict[str, Any], int]]:
    """Each distinct answer that counts on the project's live tasks, with how often it was
    given (grouped here: answers are encrypted, so the database cannot compare them)."""
    rows = session.scalars(
        select(Response.answer)
        .join(Task, Task.id == Response.task_id)
        .where(Response.org_id == org_id, Response.project_id == project_id, Response.counts,
               Task.purpose == "live")
        .execution_options(yield_per=5000)
    )
    groups: dict[str, tuple[dict[str, Any], int]] = {}
    for answer in rows:
        key = dumps_json(_sorted_keys(answer))
        first, n = groups.get(key, (answer, 0))
        groups[key] = (first, n + 1)
    return list(groups.values())


def _sorted_keys(value: Any) -> Any:
    """The value with every object's keys in order (equal answers, one grouping key)."""
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(v) for v in value]
    return value


def list_task_answers(session: Session, org_id: str, task_id: str) -> Sequence[Response]:
    """Every answer to a task, in submission order, including those that no longer count."""
    return session.scalars(
        select(Response).where(Response.org_id == org_id, Response.task_id == task_id)
        .order_by(Response.id)
    ).all()
