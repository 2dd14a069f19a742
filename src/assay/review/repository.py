"""Review queries. A reviewer is a worker: the queue and their own record are read through
their worker id; the rest is scoped to the project's organization."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from assay.db.models import Assignment, Response, Review, Reviewer, Task


def get_reviewer(session: Session, worker_id: str, project_id: str) -> Reviewer | None:
    """The worker's reviewer role in the project, or None."""
    return session.scalars(select(Reviewer).where(Reviewer.worker_id == worker_id,
                                                  Reviewer.project_id == project_id)).first()


def get_project_reviewer(session: Session, org_id: str, project_id: str,
                         worker_id: str) -> Reviewer | None:
    """A reviewer of the organization's project, or None."""
    return session.scalars(select(Reviewer).where(Reviewer.org_id == org_id,
                                                  Reviewer.project_id == project_id,
                                                  Reviewer.worker_id == worker_id)).first()


def list_project_reviewers(session: Session, org_id: str, project_id: str) -> list[Reviewer]:
    """The reviewers of the organization's project, by worker id."""
    return list(session.scalars(select(Reviewer).where(Reviewer.org_id == org_id,
                                                       Reviewer.project_id == project_id)
                                .order_by(Reviewer.worker_id)))


def list_reviewer_levels(session: Session, worker_id: str) -> dict[str, int]:
    """project -> level, for every project the worker reviews."""
    return {p: level for p, level in session.execute(
        select(Reviewer.project_id, Reviewer.level).where(Reviewer.worker_id == worker_id))}


def list_counted_answers(session: Session, org_id: str, task_id: str) -> list[Response]:
    """The task's answers that count, in submission order."""
    return list(session.scalars(select(Response).where(
        Response.org_id == org_id, Response.task_id == task_id, Response.counts)
        .order_by(Response.id)))


def _answered(worker_id: str) -> Any:
    return exists().where(Assignment.task_id == Task.id, Assignment.worker_id == worker_id)


def _free(holder: Any, until: Any, worker_id: str, now: datetime) -> Any:
    return or_(holder.is_(None), holder == worker_id, until <= now)


def find_review_task(session: Session, org_id: str, project_id: str, worker_id: str,
                     now: datetime, skip: Sequence[str] = ()) -> Task | None:
    """The project's next task waiting for review that this worker did not answer, did
    not pass over (``skip``) and nobody else holds (theirs first, then oldest completed),
    row-locked; on PostgreSQL rows locked by another reviewer are skipped."""
    mine = and_(Task.review_holder == worker_id, Task.review_until > now)
    return session.scalars(
        select(Task).where(Task.org_id == org_id, Task.project_id == project_id,
                           Task.status == "completed", Task.review_status == "pending",
                           _free(Task.review_holder, Task.review_until, worker_id, now),
                           ~_answered(worker_id), Task.id.not_in(skip))
        .order_by(mine.desc(), Task.completed_at, Task.id).limit(1)
        .with_for_update(skip_locked=True)).first()


def find_review_to_check(session: Session, org_id: str, project_id: str, worker_id: str,
                         now: datetime, skip: Sequence[str] = ()) -> Review | None:
    """The project's next decided review drawn for a second-level check that this worker
    neither made nor answered the task of, and nobody else holds; row-locked."""
    mine = and_(Review.held_by == worker_id, Review.held_until > now)
    return session.scalars(
        select(Review).join(Task, Task.id == Review.task_id)
        .where(Review.org_id == org_id, Review.project_id == project_id, Review.level == 1,
               Review.second_status == "pending", Review.reviewer_id != worker_id,
               _free(Review.held_by, Review.held_until, worker_id, now),
               ~_answered(worker_id), Review.task_id.not_in(skip))
        .order_by(mine.desc(), Review.id).limit(1)
        .with_for_update(skip_locked=True)).first()


def release_review_holds(session: Session, org_id: str, worker_id: str,
                         task_ids: Sequence[str]) -> None:
    """Give back this worker's holds on these tasks (and on their reviews to check)."""
    if not task_ids:
        return
    session.execute(update(Task).where(Task.org_id == org_id, Task.review_holder == worker_id,
                                       Task.id.in_(task_ids))
                    .values(review_holder=None, review_until=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(Review).where(Review.org_id == org_id, Review.held_by == worker_id,
                                         Review.task_id.in_(task_ids))
                    .values(held_by=None, held_until=None)
                    .execution_options(synchronize_session=False))


def get_task(session: Session, org_id: str, task_id: str) -> Task:
    return session.scalars(select(Task).where(Task.id == task_id,
                                              Task.org_id == org_id)).one()


def get_task_for_reviewer(session: Session, worker_id: str, task_id: str) -> Task | None:
    """The task, row-locked, if it belongs to a project this worker reviews; else None."""
    reviewed = select(Reviewer.project_id).where(Reviewer.worker_id == worker_id)
    return session.scalars(select(Task).where(Task.id == task_id,
                                              Task.project_id.in_(reviewed),
                                              Task.purpose != "erased")
                           .with_for_update()).first()


def get_reviewed_task(session: Session, worker_id: str, task_id: str) -> Task | None:
    """The task, if it belongs to a project this worker reviews (no lock: for reads)."""
    reviewed = select(Reviewer.project_id).where(Reviewer.worker_id == worker_id)
    return session.scalars(select(Task).where(Task.id == task_id,
                                              Task.project_id.in_(reviewed),
                                              Task.purpose != "erased")).first()


def has_answered_task(session: Session, worker_id: str, task_id: str) -> bool:
    return session.scalar(select(Assignment.id).where(
        Assignment.task_id == task_id, Assignment.worker_id == worker_id)) is not None


def get_review_to_check(session: Session, org_id: str, task_id: str) -> Review | None:
    """The task's first-level review waiting for a second-level check, row-locked."""
    return session.scalars(
        select(Review).where(Review.org_id == org_id, Review.task_id == task_id,
                             Review.level == 1, Review.second_status == "pending")
        .with_for_update()).first()


def list_reviewed_answers(session: Session, worker_id: str, limit: int) -> list[Response]:
    """The worker's answers a reviewer judged, newest first."""
    return list(session.scalars(
        select(Response).where(Response.worker_id == worker_id,
                               Response.review_verdict.is_not(None))
        .order_by(Response.id.desc()).limit(limit)))


def list_checked_reviews(session: Session, worker_id: str,
                         limit: int) -> list[tuple[Review, str | None]]:
    """The worker's first-level reviews that a second-level check upheld or overturned,
    with the checker's comment, newest first."""
    check = aliased(Review)
    return [(review, comment) for review, comment in session.execute(
        select(Review, check.comment).outerjoin(check, check.checks_id == Review.id)
        .where(Review.reviewer_id == worker_id, Review.level == 1,
               Review.second_status.in_(("upheld", "overturned")))
        .order_by(Review.id.desc()).limit(limit))]


def count_awaiting_review(session: Session, org_id: str,
                          project_ids: Sequence[str]) -> dict[str, int]:
    """Per project: completed tasks whose review is pending (flagged for a reviewer)."""
    rows = session.execute(
        select(Task.project_id, func.count())
        .where(Task.org_id == org_id, Task.project_id.in_(list(project_ids)),
               Task.status == "completed", Task.review_status == "pending")
        .group_by(Task.project_id))
    return {pid: int(n) for pid, n in rows}


def list_awaiting_review(session: Session, org_id: str, project_id: str,
                         limit: int) -> list[Task]:
    """The project's tasks waiting for review, the longest waiting first."""
    return list(session.scalars(
        select(Task).where(Task.org_id == org_id, Task.project_id == project_id,
                           Task.status == "completed", Task.review_status == "pending")
        .order_by(Task.completed_at, Task.id).limit(limit)))
