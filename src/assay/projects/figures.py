"""Read-only figures of a project for the requester's dashboard: answers and completions per
hour, the work left, how often each answer was given, and every answer of one task.

Every function takes the organization, so a foreign project reads as empty. Hourly series
are 24 buckets of whole clock hours (UTC), oldest first, ending at ``end`` (see
:func:`hour_end`: the last bucket is the hour in progress).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from assay.db.models import Response, Task

HOURS = 24
HOUR = timedelta(hours=1)


def window_start(now: datetime, hours: int = HOURS) -> datetime:
    return now - hours * HOUR


def hour_end(now: datetime) -> datetime:
    """The end of the clock hour ``now`` is in."""
    return now.replace(minute=0, second=0, microsecond=0) + HOUR


def _id_floor(prefix: str, moment: datetime) -> str:
    """The smallest id a row created at ``moment`` can have (ids start with their creation
    time in microseconds, see ``assay.ids``), so a time window is also an index range."""
    return f"{prefix}_{int(moment.timestamp() * 1_000_000):014x}"


def _buckets(column: InstrumentedAttribute[Any], end: datetime,
             hours: int) -> list[ColumnElement[Any]]:
    """One ``SUM(CASE ...)`` per hour: portable between SQLite and PostgreSQL."""
    start = window_start(end, hours)
    return [
        func.coalesce(func.sum(case(
            (and_(column >= start + i * HOUR, column < start + (i + 1) * HOUR), 1),
            else_=0)), 0)
        for i in range(hours)
    ]


def hourly_answers(session: Session, org_id: str, project_id: str, end: datetime,
                   hours: int = HOURS) -> list[int]:
    """Answers submitted to the project's live tasks in each hour of ``hours`` up to ``end``
    (answers of paused workers included: they were work done)."""
    start = window_start(end, hours)
    row = session.execute(
        select(*_buckets(Response.created_at, end, hours))
        .join(Task, Task.id == Response.task_id)
        .where(Response.org_id == org_id, Response.project_id == project_id,
               Response.id >= _id_floor("rsp", start - HOUR), Response.created_at >= start,
               Response.created_at < end, Task.purpose == "live")
    ).one()
    return [int(v) for v in row]


def hourly_completions(session: Session, org_id: str, project_id: str, end: datetime,
                       hours: int = HOURS) -> list[int]:
    """Tasks that completed (and are still completed) in each hour of ``hours`` up to
    ``end``."""
    start = window_start(end, hours)
    row = session.execute(
        select(*_buckets(Task.completed_at, end, hours))
        .where(Task.org_id == org_id, Task.project_id == project_id, Task.purpose == "live",
               Task.status == "completed", Task.completed_at >= start,
               Task.completed_at < end)
    ).one()
    return [int(v) for v in row]


def recent_answers(session: Session, org_id: str, since: datetime,
                   project_ids: Sequence[str] | None = None) -> dict[str, tuple[int, datetime]]:
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


def answers_left(session: Session, org_id: str,
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


def pace(answers: int, first: datetime | None, left: int, now: datetime) -> dict[str, Any]:
    """Answers per hour over the last 24 h and the hours left at that rate. The rate is
    taken over the time since the window's first answer (at least one hour), so a project
    that started ten minutes ago is not judged by 24 idle hours."""
    if not answers or first is None:
        return {"answers": 0, "per_hour": 0.0, "hours_left": 0.0 if left == 0 else None,
                "left": left}
    span = min(max((now - first) / HOUR, 1.0), float(HOURS))
    rate = answers / span
    return {"answers": answers, "per_hour": rate, "hours_left": left / rate, "left": left}


def label_distribution(kind: str, params: dict[str, Any],
                       counts: list[tuple[dict[str, Any], int]]) -> list[tuple[str, int]]:
    """How often each label (categorize) or choice (compare) was given, in the project's
    order; empty for the other kinds."""
    if kind == "categorize":
        order = list(params.get("labels", []))
    elif kind == "compare":
        order = ["a", "b", "tie"] if params.get("allow_tie") else ["a", "b"]
    else:
        return []
    tally = dict.fromkeys(order, 0)
    for answer, n in counts:
        if not isinstance(answer, dict):
            continue
        given = answer.get("labels") if "labels" in answer else [
            answer.get("label", answer.get("choice"))]
        for label in given if isinstance(given, list) else []:
            if isinstance(label, str):
                tally[label] = tally.get(label, 0) + n
    return list(tally.items())


def answer_counts(session: Session, org_id: str,
                  project_id: str) -> list[tuple[dict[str, Any], int]]:
    """Each distinct answer that counts on the project's live tasks, with how often it was
    given (grouped in the database; categorical answers have few distinct values)."""
    rows = session.execute(
        select(Response.answer, func.count())
        .join(Task, Task.id == Response.task_id)
        .where(Response.org_id == org_id, Response.project_id == project_id, Response.counts,
               Task.purpose == "live")
        .group_by(Response.answer)
    )
    return [(answer, int(n)) for answer, n in rows]


def task_answers(session: Session, org_id: str, task_id: str) -> Sequence[Response]:
    """Every answer to a task, in submission order, including those that no longer count."""
    return session.scalars(
        select(Response).where(Response.org_id == org_id, Response.task_id == task_id)
        .order_by(Response.id)
    ).all()
