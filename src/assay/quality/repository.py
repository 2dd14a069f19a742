"""Queries of the quality machinery: reference tasks (gold, training) and worker standing."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import Session

from assay.db.models import Assignment, ProjectWorker, Response, Task
from assay.db.types import AnyRow

A, PW, R, T = Assignment, ProjectWorker, Response, Task

_STATUS = select(PW.status).where(PW.project_id == bindparam("project"),
                                  PW.worker_id == bindparam("worker"))
_UNSEEN_REFERENCE = (
    select(T.id, T.org_id, T.project_id, T.data)
    .where(T.project_id == bindparam("project"), T.status == bindparam("purpose"),
           ~exists().where(A.task_id == T.id, A.worker_id == bindparam("worker")))
    .order_by(T.id).limit(1)
)


def get_status(session: Session, project_id: str, worker_id: str) -> str | None:
    """The worker's status in the project, or None when they have no standing row yet."""
    return session.connection().execute(
        _STATUS, {"project": project_id, "worker": worker_id}).scalar_one_or_none()


def get_standing(session: Session, project_id: str, worker_id: str, *,
                 for_update: bool = False) -> ProjectWorker | None:
    stmt = select(PW).where(PW.project_id == project_id, PW.worker_id == worker_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def list_paused_projects(session: Session, worker_id: str,
                         project_ids: Sequence[str]) -> set[str]:
    return set(session.scalars(
        select(PW.project_id).where(PW.worker_id == worker_id, PW.status == "paused",
                                    PW.project_id.in_(project_ids))))


def list_projects_with_training(session: Session, project_ids: Sequence[str]) -> set[str]:
    return set(session.scalars(
        select(T.project_id).where(T.project_id.in_(project_ids), T.status == "training")
        .distinct()))


def list_qualified_projects(session: Session, worker_id: str,
                            project_ids: Sequence[str]) -> set[str]:
    return set(session.scalars(
        select(PW.project_id).where(PW.worker_id == worker_id, PW.qualified,
                                    PW.project_id.in_(project_ids))))


def find_unseen_reference(session: Session, project_id: str, worker_id: str,
                          purpose: str) -> AnyRow | None:
    return session.connection().execute(
        _UNSEEN_REFERENCE,
        {"project": project_id, "worker": worker_id, "purpose": purpose}).first()


def count_reference(session: Session, project_id: str, purpose: str) -> int:
    return session.scalar(select(func.count()).select_from(T).where(
        T.project_id == project_id, T.status == purpose)) or 0


def list_reference(session: Session, org_id: str, project_id: str, purpose: str,
                   after: str | None, limit: int) -> list[Task]:
    stmt = select(T).where(T.org_id == org_id, T.project_id == project_id,
                           T.purpose == purpose)
    if after:
        stmt = stmt.where(T.id > after)
    return list(session.scalars(stmt.order_by(T.id).limit(limit)))


def stop_counting_answers(session: Session, project_id: str, worker_id: str) -> list[str]:
    """Mark the worker's answers to live tasks as not counting; returns those tasks."""
    live = select(T.id).where(T.project_id == project_id, T.purpose == "live")
    return sorted(session.scalars(
        update(R).where(R.project_id == project_id, R.worker_id == worker_id, R.counts,
                        R.task_id.in_(live))
        .values(counts=False).returning(R.task_id),
        execution_options={"synchronize_session": False}).all())


def count_answers_by_worker(session: Session, project_id: str, after: str | None,
                            limit: int) -> list[tuple[str, int]]:
    live = select(T.id).where(T.project_id == project_id, T.purpose == "live")
    stmt = (select(R.worker_id, func.count()).where(R.project_id == project_id,
                                                   R.task_id.in_(live))
            .group_by(R.worker_id))
    rows = {w: n for w, n in session.execute(stmt)}
    for worker_id in session.scalars(select(PW.worker_id).where(PW.project_id == project_id)):
        rows.setdefault(worker_id, 0)
    ordered = sorted(w for w in rows if after is None or w > after)[:limit]
    return [(w, rows[w]) for w in ordered]


def list_standings(session: Session, project_id: str,
                   worker_ids: Sequence[str]) -> dict[str, ProjectWorker]:
    return {pw.worker_id: pw for pw in session.scalars(
        select(PW).where(PW.project_id == project_id, PW.worker_id.in_(worker_ids)))}


def list_worker_standings(session: Session, worker_id: str) -> list[ProjectWorker]:
    return list(session.scalars(select(PW).where(PW.worker_id == worker_id)))
