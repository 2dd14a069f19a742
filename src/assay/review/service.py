"""The review queue: reviewers accept or fix results, and reject individual answers.

A task enters the queue (``review_status: "pending"``) when adaptive overlap could not
settle it by ``max_overlap``, or when it completes and is drawn at the project's
``quality.review_rate``. A reviewer (a worker promoted per project) takes the oldest one
they did not answer themselves, sees its answers (by answer id, not by worker), and either
accepts the result or fixes it (the fix becomes the result, ``method: "review"``, and the
callback fires again). Either way they may reject individual answers with a comment the
worker sees in ``GET /v1/work/feedback``; a rejected answer's earning is reversed.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from assay.accounts.service import Requester, WorkerPrincipal
from assay.clock import isoformat, utcnow
from assay.db.models import Assignment, Project, Response, Review, Reviewer, Task, Worker
from assay.errors import Conflict, Forbidden, NotFound, field_error
from assay.ids import new_id
from assay.jobs.queue import enqueue
from assay.kinds import get_kind
from assay.kinds.base import KindValidationError
from assay.ledger import service as ledger
from assay.projects import service as projects
from assay.projects.service import kind_error


def drawn_for_review(project: Any) -> bool:
    """Whether a task completing now joins the review queue at ``review_rate``."""
    rate = float(project.quality.get("review_rate", 0.0))
    return rate > 0 and random.random() < rate


def add_reviewer(session: Session, who: Requester, project_id: str,
                 worker_id: str) -> dict[str, Any]:
    project = projects.get_project(session, who, project_id)
    worker = session.get(Worker, worker_id)
    eligible = worker is not None and (
        worker.org_id == project.org_id
        or (worker.org_id is None and project.workforce == "crowd"))
    if not eligible:
        raise NotFound(f"worker {worker_id} does not exist", {"field": "worker_id"})
    if session.get(Reviewer, (project.id, worker_id)) is None:
        session.add(Reviewer(project_id=project.id, worker_id=worker_id, org_id=project.org_id,
                             created_at=utcnow()))
        session.flush()
    return {"project": project.id, "worker_id": worker_id, "role": "reviewer"}


def _reviewer_project(session: Session, who: WorkerPrincipal, project_id: str) -> Project:
    project = session.get(Project, project_id)
    if project is None or session.get(Reviewer, (project_id, who.worker_id)) is None:
        raise NotFound(f"project {project_id} has no review queue for you")
    return project


def _answers(session: Session, task_id: str) -> list[Response]:
    return list(session.scalars(select(Response).where(
        Response.task_id == task_id, Response.counts).order_by(Response.id)))


def next_review(session: Session, who: WorkerPrincipal,
                project_id: str) -> dict[str, Any] | None:
    project = _reviewer_project(session, who, project_id)
    answered = exists().where(Assignment.task_id == Task.id,
                              Assignment.worker_id == who.worker_id)
    task = session.scalars(
        select(Task).where(Task.project_id == project.id, Task.status == "completed",
                           Task.review_status == "pending", ~answered)
        .order_by(Task.completed_at, Task.id).limit(1)).first()
    if task is None:
        return None
    return {
        "task_id": task.id, "project": project.id, "kind": project.kind,
        "instructions": project.instructions, "params": project.params, "data": task.data,
        "result": task.result,
        "answers": [{"answer_id": r.id, "answer": r.answer} for r in _answers(session, task.id)],
    }


def submit_review(session: Session, who: WorkerPrincipal, task_id: str, verdict: str,
                  answer: Any, comment: str | None, rejected: list[str]) -> dict[str, Any]:
    task = session.scalars(select(Task).where(Task.id == task_id).with_for_update()).first()
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    project = _reviewer_project(session, who, task.project_id)
    if task.status != "completed" or task.review_status != "pending":
        raise Conflict("this task is not waiting for review", code="not_in_review")
    if session.scalar(select(Assignment.id).where(Assignment.task_id == task.id,
                                                  Assignment.worker_id == who.worker_id)):
        raise Forbidden("you cannot review a task you answered", code="own_task")
    now = utcnow()
    answers = {r.id: r for r in _answers(session, task.id)}
    unknown = [a for a in rejected if a not in answers]
    if unknown:
        raise field_error("rejected_answers", f"not answers of this task: {unknown}")
    fixed = None
    if verdict == "fix":
        if answer is None:
            raise field_error("answer", "is required to fix a result")
        try:
            fixed = get_kind(project.kind).validate_answer(project.params, task.data, answer)
        except KindValidationError as exc:
            raise kind_error(exc) from exc
        task.result = {"answer": fixed, "confidence": 1.0, "method": "review",
                       "n_responses": len(answers)}
        if task.callback_url or project.callback_url:
            task.callback_succeeded = None
            enqueue(session, "callback", {"task_id": task.id, "org_id": task.org_id}, now)
    task.review_status = "fixed" if fixed is not None else "accepted"
    task.updated_at = now
    for answer_id, response in answers.items():
        response.review_verdict = "rejected" if answer_id in rejected else "accepted"
        if answer_id in rejected:
            response.review_comment = comment
            ledger.reverse_answer(session, response.id, "rejected in review", now)
    session.add(Review(id=new_id("rev"), org_id=task.org_id, project_id=project.id,
                       task_id=task.id, reviewer_id=who.worker_id, verdict=task.review_status,
                       answer=fixed, comment=comment, created_at=now))
    session.flush()
    return {"task_id": task.id, "review_status": task.review_status, "result": task.result}


def worker_feedback(session: Session, who: WorkerPrincipal, limit: int = 100
                    ) -> list[dict[str, Any]]:
    """The worker's reviewed answers, newest first, with verdicts and comments."""
    rows = session.scalars(
        select(Response).where(Response.worker_id == who.worker_id,
                               Response.review_verdict.is_not(None))
        .order_by(Response.id.desc()).limit(limit))
    return [{"answer_id": r.id, "project": r.project_id, "answer": r.answer,
             "verdict": r.review_verdict, "comment": r.review_comment,
             "answered_at": isoformat(r.created_at)} for r in rows]
