"""Integrity queries: the answers the collusion search reads and the flags, always scoped
to an organization (a worker reads their own flags by their id)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.db.models import Flag, Response, Task


def list_answers_for_pairs(session: Session, org_id: str, project_id: str) -> list[Any]:
    """Every answer of the project (live, gold and training, counted or not) as rows of
    (task_id, worker_id, answer, purpose, correct), oldest first."""
    return list(session.execute(
        select(Response.task_id, Response.worker_id, Response.answer, Task.purpose,
               Response.correct)
        .join(Task, Task.id == Response.task_id)
        .where(Response.org_id == org_id, Response.project_id == project_id,
               Task.purpose != "erased")
        .order_by(Response.id)).all())


def list_collusion_pairs(session: Session, org_id: str,
                         project_id: str) -> set[tuple[str, str | None]]:
    """(worker, other worker) of every collusion flag of the project."""
    return {(w, o) for w, o in session.execute(
        select(Flag.worker_id, Flag.other_worker_id)
        .where(Flag.org_id == org_id, Flag.project_id == project_id,
               Flag.kind == "collusion"))}


def count_flags_by_worker(session: Session, org_id: str, project_id: str) -> dict[str, int]:
    return {w: int(n) for w, n in session.execute(
        select(Flag.worker_id, func.count())
        .where(Flag.org_id == org_id, Flag.project_id == project_id)
        .group_by(Flag.worker_id))}


def list_flags(session: Session, org_id: str | None, project_id: str, after: str | None,
               limit: int | None) -> list[Flag]:
    """The project's flags by id (``org_id`` None: the operator's, any organization's)."""
    stmt = select(Flag).where(Flag.project_id == project_id)
    if org_id is not None:
        stmt = stmt.where(Flag.org_id == org_id)
    if after:
        stmt = stmt.where(Flag.id > after)
    stmt = stmt.order_by(Flag.id)
    return list(session.scalars(stmt if limit is None else stmt.limit(limit)))


def list_worker_flags(session: Session, worker_id: str, project_id: str) -> list[Flag]:
    """The flags raised on the worker in the project, by id."""
    return list(session.scalars(
        select(Flag).where(Flag.worker_id == worker_id, Flag.project_id == project_id)
        .order_by(Flag.id)))


def list_flags_of_workers(session: Session, org_id: str, project_id: str,
                          worker_ids: Iterable[str]) -> list[tuple[str, str | None, str]]:
    """(kind, response_id, worker_id) of the flags on these workers in the project."""
    return [(k, r, w) for k, r, w in session.execute(
        select(Flag.kind, Flag.response_id, Flag.worker_id)
        .where(Flag.org_id == org_id, Flag.project_id == project_id,
               Flag.worker_id.in_(set(worker_ids))))]
