"""Queries of the quality machinery: reference tasks (gold, training), worker standing,
the answers the refit, adaptive overlap and the quality report read, appeals and a
worker's record. Scoped to the organization; a worker's own rows to the worker."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, case, exists, func, or_, select, update
from sqlalchemy.orm import Session

from assay.db.models import (
    Appeal,
    Assignment,
    Project,
    ProjectWorker,
    Response,
    Reviewer,
    Task,
    WorkerEvent,
)
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


def list_unqualified_course_projects(session: Session, worker_id: str,
                                     project_ids: Sequence[str]) -> set[str]:
    """Of ``project_ids``, those with training tasks where the worker is not qualified."""
    with_course = set(session.scalars(
        select(T.project_id).where(T.project_id.in_(project_ids), T.status == "training")
        .distinct()))
    if not with_course:
        return set()
    return with_course - set(session.scalars(
        select(PW.project_id).where(PW.worker_id == worker_id, PW.qualified,
                                    PW.project_id.in_(list(with_course)))))


def find_unseen_reference(session: Session, project_id: str, worker_id: str,
                          purpose: str) -> AnyRow | None:
    return session.connection().execute(
        _UNSEEN_REFERENCE,
        {"project": project_id, "worker": worker_id, "purpose": purpose}).first()


def count_reference(session: Session, org_id: str, project_id: str, purpose: str) -> int:
    return session.scalar(select(func.count()).select_from(T).where(
        T.org_id == org_id, T.project_id == project_id, T.status == purpose)) or 0


def get_reference_task(session: Session, org_id: str, project_id: str, task_id: str,
                       purpose: str, *, for_update: bool = False) -> Task | None:
    """A gold or training task of the organization's project, or None."""
    stmt = select(T).where(T.id == task_id, T.org_id == org_id, T.project_id == project_id,
                           T.purpose == purpose)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def get_task_for_update(session: Session, org_id: str, task_id: str) -> Task:
    """One of the organization's tasks, row-locked."""
    return session.scalars(select(T).where(T.id == task_id, T.org_id == org_id)
                           .with_for_update()).one()


def lock_tasks(session: Session, org_id: str, task_ids: Sequence[str]) -> list[Task]:
    """The organization's tasks of ``task_ids``, row-locked in id order."""
    return list(session.scalars(
        select(T).where(T.org_id == org_id, T.id.in_(list(task_ids)))
        .order_by(T.id).with_for_update()))


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


def count_answers_by_worker(session: Session, org_id: str, project_id: str,
                            after: str | None, limit: int) -> list[tuple[str, int]]:
    live = select(T.id).where(T.org_id == org_id, T.project_id == project_id,
                              T.purpose == "live")
    stmt = (select(R.worker_id, func.count())
            .where(R.org_id == org_id, R.project_id == project_id, R.task_id.in_(live))
            .group_by(R.worker_id))
    rows = {w: n for w, n in session.execute(stmt)}
    for worker_id in session.scalars(select(PW.worker_id).where(
            PW.org_id == org_id, PW.project_id == project_id)):
        rows.setdefault(worker_id, 0)
    ordered = sorted(w for w in rows if after is None or w > after)[:limit]
    return [(w, rows[w]) for w in ordered]


def list_standings(session: Session, org_id: str, project_id: str,
                   worker_ids: Sequence[str]) -> dict[str, ProjectWorker]:
    return {pw.worker_id: pw for pw in session.scalars(
        select(PW).where(PW.org_id == org_id, PW.project_id == project_id,
                         PW.worker_id.in_(worker_ids)))}


def list_worker_standings(session: Session, worker_id: str) -> list[ProjectWorker]:
    return list(session.scalars(select(PW).where(PW.worker_id == worker_id)))


# The refit and the quality report.

def list_refit_projects(session: Session, org_id: str | None,
                        kinds: Sequence[str]) -> list[tuple[str, str, str | None]]:
    """(org_id, project id, refit marker) of the projects of ``kinds`` (``org_id`` None:
    every organization's, for the background refit)."""
    stmt = select(Project.org_id, Project.id, Project.refit_marker).where(
        Project.kind.in_(list(kinds)), Project.erased_at.is_(None))
    if org_id is not None:
        stmt = stmt.where(Project.org_id == org_id)
    return [(o, p, m) for o, p, m in session.execute(stmt)]


def get_newest_answer_id(session: Session, org_id: str, project_id: str) -> str | None:
    """The id of the project's newest answer (ids sort by time)."""
    return session.scalar(select(func.max(R.id)).where(R.org_id == org_id,
                                                      R.project_id == project_id))


def list_counted_live_answers(session: Session, org_id: str, project_id: str) -> list[Any]:
    """Every counted answer to the project's live tasks as rows of (id, task_id,
    worker_id, answer), oldest first."""
    return list(session.execute(
        select(R.id, R.task_id, R.worker_id, R.answer)
        .join(T, T.id == R.task_id)
        .where(T.org_id == org_id, T.project_id == project_id, T.purpose == "live",
               R.counts)
        .order_by(R.id)).all())


def _suggested_tasks(org_id: str, project_id: str) -> Any:
    return (select(A.task_id).where(A.org_id == org_id, A.project_id == project_id,
                                    A.suggestion.is_not(None))
            .distinct().scalar_subquery())


def list_suggested_task_answers(session: Session, org_id: str, project_id: str) -> list[Any]:
    """Every counted answer to the project's live tasks that had a suggestion (shown or
    held back) on some assignment, as rows of (task_id, answer, suggestion), by task."""
    return list(session.execute(
        select(R.task_id, R.answer, A.suggestion)
        .join(A, A.id == R.assignment_id).join(T, T.id == R.task_id)
        .where(T.org_id == org_id, T.project_id == project_id, T.purpose == "live",
               R.counts, R.task_id.in_(_suggested_tasks(org_id, project_id)))
        .order_by(R.task_id, R.id)).all())


def list_reviewed_suggested_results(session: Session, org_id: str,
                                    project_id: str) -> dict[str, Any]:
    """``{task id: result}`` of the project's tasks that had a suggestion and whose result a
    reviewer accepted or fixed."""
    rows = session.execute(
        select(T.id, T.result)
        .where(T.org_id == org_id, T.project_id == project_id, T.purpose == "live",
               T.review_status.in_(("accepted", "fixed")),
               T.id.in_(_suggested_tasks(org_id, project_id))))
    return {row.id: row.result for row in rows}


def list_gold_answer_rows(session: Session, org_id: str, project_id: str) -> list[Any]:
    """Every answer to the project's gold tasks as rows of (task_id, worker_id, answer,
    expected_answer), by task."""
    return list(session.execute(
        select(R.task_id, R.worker_id, R.answer, T.expected_answer)
        .join(T, T.id == R.task_id)
        .where(T.org_id == org_id, T.project_id == project_id, T.purpose == "gold")
        .order_by(R.task_id, R.id)).all())


def list_granted_workers(session: Session, org_id: str, project_id: str) -> set[str]:
    """The workers whose appeal in the project was granted."""
    return set(session.scalars(select(Appeal.worker_id).where(
        Appeal.org_id == org_id, Appeal.project_id == project_id,
        Appeal.status == "granted")))


def list_settled_tasks(session: Session, org_id: str, project_id: str) -> list[Any]:
    """The project's completed live tasks not yet reviewed, as rows of (id, result,
    overlap, review_status, review_holder, review_until)."""
    return list(session.execute(
        select(T.id, T.result, T.overlap, T.review_status, T.review_holder, T.review_until)
        .where(T.org_id == org_id, T.project_id == project_id, T.purpose == "live",
               T.status == "completed",
               or_(T.review_status.is_(None), T.review_status == "pending"))))


# Adaptive overlap: what the platform knows about the workers of one task.

def list_worker_records(session: Session, org_id: str, project_id: str,
                        worker_ids: Iterable[str]) -> dict[str, tuple[Any, ...]]:
    """worker -> (gold_correct, gold_answers, model_accuracy, model_answers)."""
    return {w: (c, n, m, mn) for w, c, n, m, mn in session.execute(
        select(PW.worker_id, PW.gold_correct, PW.gold_answers, PW.model_accuracy,
               PW.model_answers)
        .where(PW.org_id == org_id, PW.project_id == project_id,
               PW.worker_id.in_(list(worker_ids)))).all()}


def sum_model_records(session: Session, org_id: str, project_id: str) -> tuple[float, float]:
    """The crowd's model record: expected right answers and answers, over every worker
    with a model estimate in the project."""
    right, answers = session.execute(
        select(func.sum(PW.model_accuracy * PW.model_answers), func.sum(PW.model_answers))
        .where(PW.org_id == org_id, PW.project_id == project_id,
               PW.model_accuracy.is_not(None))).one()
    return float(right or 0.0), float(answers or 0.0)


def count_reference_answers(session: Session, org_id: str, project_id: str,
                            purpose: str) -> dict[str, tuple[int, int]]:
    """Per gold (or training) task of the project: the answers given to it and how many
    were right."""
    rows = session.execute(
        select(R.task_id, func.count(), func.sum(case((R.correct.is_(True), 1), else_=0)))
        .join(T, T.id == R.task_id)
        .where(R.org_id == org_id, T.org_id == org_id, T.project_id == project_id,
               T.purpose == purpose)
        .group_by(R.task_id))
    return {task_id: (int(n), int(right or 0)) for task_id, n, right in rows}


def sum_checks_by_project(session: Session, org_id: str,
                          project_ids: Sequence[str]) -> dict[str, tuple[int, int, float, float]]:
    """Per project: gold answers right and given, and the crowd model's expected right
    answers and answers (over workers with an estimate), summed over its workers."""
    modelled = PW.model_accuracy.is_not(None)
    rows = session.execute(
        select(PW.project_id, func.coalesce(func.sum(PW.gold_correct), 0),
               func.coalesce(func.sum(PW.gold_answers), 0),
               func.sum(case((modelled, PW.model_accuracy * PW.model_answers), else_=0.0)),
               func.sum(case((modelled, PW.model_answers), else_=0)))
        .where(PW.org_id == org_id, PW.project_id.in_(list(project_ids)))
        .group_by(PW.project_id))
    return {pid: (int(right), int(gold), float(expected or 0.0), float(answers or 0.0))
            for pid, right, gold, expected, answers in rows}


def list_gold_answers(session: Session, org_id: str, project_id: str,
                      worker_ids: Iterable[str]) -> list[Any]:
    """(worker_id, answer, expected_answer) of these workers' answers to gold tasks."""
    return list(session.execute(
        select(R.worker_id, R.answer, T.expected_answer)
        .join(T, T.id == R.task_id)
        .where(R.org_id == org_id, R.project_id == project_id, T.purpose == "gold",
               R.worker_id.in_(set(worker_ids)))))


def list_model_confusions(session: Session, org_id: str, project_id: str,
                          worker_ids: Iterable[str]) -> dict[str, dict[str, Any] | None]:
    """worker -> the confusion counts the last refit stored for them."""
    return {w: c for w, c in session.execute(
        select(PW.worker_id, PW.model_confusion)
        .where(PW.org_id == org_id, PW.project_id == project_id,
               PW.worker_id.in_(set(worker_ids))))}


def list_task_answers(session: Session, org_id: str, task_id: str) -> list[Any]:
    """(worker_id, answer) of the task's counted answers, in submission order."""
    return list(session.execute(
        select(R.worker_id, R.answer)
        .where(R.org_id == org_id, R.task_id == task_id, R.counts).order_by(R.id)).all())


def get_crowd_model(session: Session, org_id: str, project_id: str) -> dict[str, Any] | None:
    return session.scalar(select(Project.crowd_model).where(Project.id == project_id,
                                                            Project.org_id == org_id))


# A worker's own record in a project (``standing.py``).

def list_gold_evidence(session: Session, worker_id: str, project_id: str) -> list[Any]:
    """The worker's gold answers, newest first, as rows of (task id, data, expected,
    status, answer, correct, created_at)."""
    return list(session.execute(
        select(T.id, T.data, T.expected_answer, T.status, R.answer, R.correct, R.created_at)
        .join(T, T.id == R.task_id)
        .where(R.project_id == project_id, R.worker_id == worker_id, T.purpose == "gold")
        .order_by(R.id.desc())).all())


def list_reviewed_answers(session: Session, worker_id: str, project_id: str | None,
                          limit: int) -> list[Response]:
    """The worker's answers a reviewer judged (in one project, or all), newest first."""
    stmt = select(R).where(R.worker_id == worker_id, R.review_verdict.is_not(None))
    if project_id is not None:
        stmt = stmt.where(R.project_id == project_id)
    return list(session.scalars(stmt.order_by(R.id.desc()).limit(limit)))


def list_worker_events(session: Session, worker_id: str, project_id: str) -> list[WorkerEvent]:
    return list(session.scalars(
        select(WorkerEvent).where(WorkerEvent.worker_id == worker_id,
                                  WorkerEvent.project_id == project_id)
        .order_by(WorkerEvent.id)))


def is_reviewer(session: Session, worker_id: str, project_id: str) -> bool:
    return session.scalar(select(Reviewer.level).where(
        Reviewer.worker_id == worker_id, Reviewer.project_id == project_id)) is not None


# Appeals.

def get_worker_appeal(session: Session, worker_id: str, project_id: str) -> Appeal | None:
    return session.scalars(select(Appeal).where(Appeal.worker_id == worker_id,
                                                Appeal.project_id == project_id)).first()


def list_worker_appeals(session: Session, worker_id: str) -> list[Appeal]:
    return list(session.scalars(
        select(Appeal).where(Appeal.worker_id == worker_id).order_by(Appeal.id)))


def list_appeals(session: Session, org_id: str | None, status: str | None) -> list[Appeal]:
    """Appeals by id (``org_id`` None: every organization's, for the operator)."""
    stmt = select(Appeal).order_by(Appeal.id)
    if org_id is not None:
        stmt = stmt.where(Appeal.org_id == org_id)
    if status is not None:
        stmt = stmt.where(Appeal.status == status)
    return list(session.scalars(stmt))


def get_appeal(session: Session, org_id: str | None, appeal_id: str, *,
               for_update: bool = False) -> Appeal | None:
    """An appeal (``org_id`` None: any organization's, for the operator)."""
    stmt = select(Appeal).where(Appeal.id == appeal_id)
    if org_id is not None:
        stmt = stmt.where(Appeal.org_id == org_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


# Gold checks disclosed to the worker in batches (``disclosure.py``).

_DISCLOSURE_STATE = select(PW.gold_answers, PW.gold_shown_answers, PW.shown_through).where(
    PW.project_id == bindparam("project"), PW.worker_id == bindparam("worker"))


def get_disclosure_state(session: Session, project_id: str, worker_id: str) -> AnyRow | None:
    """(gold_answers, gold_shown_answers, shown_through) of the worker's standing, or None
    (on every submit: a statement built once)."""
    return session.connection().execute(
        _DISCLOSURE_STATE, {"project": project_id, "worker": worker_id}).first()


def count_answers_after(session: Session, org_id: str, project_id: str, worker_id: str,
                        after: str | None) -> tuple[int, str | None]:
    """How many answers the worker gave in the project after the answer ``after`` (all of
    them when None), and the newest one's id."""
    stmt = select(func.count(), func.max(R.id)).where(
        R.org_id == org_id, R.project_id == project_id, R.worker_id == worker_id)
    if after is not None:
        stmt = stmt.where(R.id > after)
    count, newest = session.connection().execute(stmt).one()
    return int(count), newest
