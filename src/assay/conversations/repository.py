"""Queries of conversation turns: generations (a turn's candidates) and what each assignment
saw. Worker-side lookups take the worker; everything else takes the organization."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from assay.db.models import Assignment, AssignmentTurn, Generation, Task


def get_assignment(session: Session, worker_id: str, assignment_id: str, *,
                   for_update: bool = False) -> Assignment | None:
    stmt = select(Assignment).where(Assignment.id == assignment_id,
                                    Assignment.worker_id == worker_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def lock_assignment(session: Session, org_id: str, assignment_id: str) -> None:
    """Take the assignment's row lock: one writer of its turns at a time."""
    session.execute(select(Assignment.id).where(Assignment.id == assignment_id,
                                                Assignment.org_id == org_id).with_for_update())


def get_task_data(session: Session, org_id: str, task_id: str) -> Any:
    return session.scalars(select(Task.data).where(Task.id == task_id,
                                                   Task.org_id == org_id)).one()


def list_assignment_turns(session: Session, org_id: str,
                          assignment_id: str) -> list[AssignmentTurn]:
    return list(session.scalars(
        select(AssignmentTurn).where(AssignmentTurn.org_id == org_id,
                                     AssignmentTurn.assignment_id == assignment_id)
        .order_by(AssignmentTurn.turn)))


def get_generation(session: Session, org_id: str, generation_id: str) -> Generation | None:
    return session.scalars(select(Generation).where(Generation.id == generation_id,
                                                    Generation.org_id == org_id)).first()


def find_generation(session: Session, org_id: str, task_id: str, scope: str,
                    turn: int) -> Generation | None:
    return session.scalars(select(Generation).where(
        Generation.org_id == org_id, Generation.task_id == task_id,
        Generation.scope == scope, Generation.turn == turn)).first()


def list_generations(session: Session, org_id: str, ids: list[str]) -> list[Generation]:
    if not ids:
        return []
    return list(session.scalars(select(Generation).where(Generation.org_id == org_id,
                                                         Generation.id.in_(ids))))


def list_task_generations(session: Session, org_id: str, task_ids: list[str]) -> list[Generation]:
    """The finished generations of these tasks, oldest first."""
    if not task_ids:
        return []
    return list(session.scalars(
        select(Generation).where(Generation.org_id == org_id, Generation.task_id.in_(task_ids),
                                 Generation.status == "done").order_by(Generation.id)))


def take_over(session: Session, org_id: str, generation_id: str, claimed_at: datetime,
              now: datetime) -> bool:
    """Claim a pending generation whose claimant went quiet; true for exactly one caller."""
    result = session.execute(
        update(Generation).where(Generation.org_id == org_id, Generation.id == generation_id,
                                 Generation.status == "pending",
                                 Generation.claimed_at == claimed_at)
        .values(claimed_at=now).execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0) == 1)


def delete_claim(session: Session, org_id: str, generation_id: str,
                 claimed_at: datetime) -> None:
    """Forget a failed generation, if it is still this claim's."""
    session.execute(delete(Generation).where(
        Generation.org_id == org_id, Generation.id == generation_id,
        Generation.status == "pending", Generation.claimed_at == claimed_at)
        .execution_options(synchronize_session=False))


def delete_task_turns(session: Session, org_id: str, *, task_ids: Sequence[str] | None,
                      project_id: str | None) -> None:
    """Delete the generations and assignment turns of these tasks (or of every task of
    the project): their replies and the workers' prompts are the tasks' content."""
    tasks = (list(task_ids) if task_ids is not None else
             select(Task.id).where(Task.org_id == org_id, Task.project_id == project_id)
             .scalar_subquery())
    options = {"synchronize_session": False}
    session.execute(delete(AssignmentTurn).where(AssignmentTurn.org_id == org_id,
                                                 AssignmentTurn.task_id.in_(tasks))
                    .execution_options(**options))
    session.execute(delete(Generation).where(Generation.org_id == org_id,
                                             Generation.task_id.in_(tasks))
                    .execution_options(**options))
