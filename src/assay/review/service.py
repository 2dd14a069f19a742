"""The review queue: reviewers accept or fix results, reject individual answers, and a
second level checks a sample of the reviews.

A task enters the queue (``review_status: "pending"``) when adaptive overlap could not
settle it by ``max_overlap``, or when it completes and is drawn at the project's
``quality.review_rate``. A reviewer (a worker promoted per project) takes the oldest one
they did not answer themselves and nobody else holds: ``next`` leases it to them for the
project's ``lease_seconds``, so two reviewers never work on the same task. They see its
answers (by answer id, with the integrity flags the server raised on them, never by worker)
and either accept the result or fix it (the fix becomes the result, ``method: "review"``,
and the callback fires again). Either way they may reject individual answers with a comment
the worker sees in ``GET /v1/work/feedback``; a rejected answer's earning is reversed.

Review outcomes feed the workers' reliability: every answer of a reviewed task is a checked
answer, right when it was not rejected and matches the reviewed result by its kind's
measure (partial credit for spans, boxes, text and ratings, as for gold). The project's
accuracy bar applies to gold and review checks together.

Second level: a decided review is drawn at ``quality.second_review_rate`` for a level-2
reviewer, who upholds it (``accept``) or overturns it with a fix. The first reviewer sees
the outcome in their feedback, and their record as a reviewer (reviews checked and upheld)
is kept in their standing; a reviewer whose reviews are confidently below the project's
accuracy bar loses the role.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import Requester, WorkerPrincipal, find_worker
from assay.algorithms.reliability import confidently_below
from assay.auditlog import service as auditlog
from assay.clock import isoformat, utcnow
from assay.db.models import Project, Response, Review, Reviewer, Task
from assay.errors import Conflict, Forbidden, NotFound, field_error
from assay.ids import new_id
from assay.integrity import service as integrity
from assay.kinds import get_kind
from assay.kinds.base import KindValidationError
from assay.ledger import service as ledger
from assay.projects import service as projects
from assay.projects.service import kind_error
from assay.quality import service as quality
from assay.review import repository
from assay.tasks.results import TaskResult, replace_result


def drawn_for_review(project: Any, rng: random.Random) -> bool:
    """Whether a task completing now joins the review queue at ``review_rate``."""
    rate = float(project.quality.get("review_rate", 0.0))
    return rate > 0 and rng.random() < rate


def _drawn_for_second_level(project: Project, rng: random.Random) -> bool:
    rate = float(project.quality.get("second_review_rate", 0.0))
    return rate > 0 and rng.random() < rate


def add_reviewer(session: Session, who: Requester, project_id: str, worker_id: str,
                 level: int = 1) -> dict[str, Any]:
    project = projects.get_project(session, who, project_id)
    worker = find_worker(session, worker_id)
    eligible = worker is not None and (
        worker.org_id == project.org_id
        or (worker.org_id is None and project.workforce == "crowd"))
    if not eligible:
        raise NotFound(f"worker {worker_id} does not exist", {"field": "worker_id"})
    reviewer = repository.get_project_reviewer(session, project.org_id, project.id, worker_id)
    if reviewer is None:
        session.add(Reviewer(project_id=project.id, worker_id=worker_id, org_id=project.org_id,
                             level=level, created_at=utcnow()))
    else:
        reviewer.level = level
    session.flush()
    return {"project": project.id, "worker_id": worker_id, "role": "reviewer", "level": level}


def _reviewer_project(session: Session, who: WorkerPrincipal, project_id: str,
                      level: int = 1) -> Project:
    reviewer = repository.get_reviewer(session, who.worker_id, project_id)
    if reviewer is None:
        raise NotFound(f"project {project_id} has no review queue for you")
    if reviewer.level < level:
        raise Forbidden("second-level review is for level-2 reviewers", code="not_level_2")
    project = projects.get_project_in_org(session, reviewer.org_id, project_id)
    if project.sensitivity not in projects.worker_levels(session, who.worker_id):
        raise NotFound(f"project {project_id} has no review queue for you")
    return project


def _answers(session: Session, task: Task) -> list[Response]:
    return repository.list_counted_answers(session, task.org_id, task.id)


def _item(session: Session, project: Project, task: Task, until: datetime,
          level: int = 1) -> dict[str, Any]:
    """What a reviewer sees: the task, its result and its answers with their flags (at
    level 2 also the first reviewer's verdict on each answer)."""
    answers = _answers(session, task)
    # The integrity flags behind each answer, raised by the server; no client clears them.
    flags = integrity.flags_by_answer(session, project.org_id, project.id, answers)
    shown = []
    for r in answers:
        answer: dict[str, Any] = {"answer_id": r.id, "answer": r.answer, "flags": flags[r.id]}
        if level == 2:
            answer["verdict"] = r.review_verdict
        shown.append(answer)
    kind = get_kind(project.kind)
    return {
        "task_id": task.id, "project": project.id, "level": level, "kind": project.kind,
        "instructions": project.instructions, "params": project.params,
        "data": kind.worker_data(project.params, task.data),
        "result": _shown_result(project, task.result), "expires_at": isoformat(until),
        "answers": shown,
    }


def _shown_result(project: Project, result: dict[str, Any] | None) -> dict[str, Any] | None:
    """A task's result as a reviewer (a worker) sees it: what the kind lets workers see."""
    if not result:
        return result
    kind = get_kind(project.kind)
    return {**result, "answer": kind.worker_result(project.params, result.get("answer"))}


def next_review(session: Session, who: WorkerPrincipal, project_id: str,
                level: int = 1, skip: Sequence[str] = ()) -> dict[str, Any] | None:
    """Lease the next task (level 1) or decided review (level 2) to this reviewer. A
    reviewer who calls again while holding one gets the same one back, unless they pass
    it over: the tasks in ``skip`` are released and not handed out."""
    project = _reviewer_project(session, who, project_id, level)
    now = utcnow()
    until = now + timedelta(seconds=project.lease_seconds)
    repository.release_review_holds(session, project.org_id, who.worker_id, skip)
    if level == 2:
        return _next_check(session, who, project, now, until, skip)
    task = repository.find_review_task(session, project.org_id, project.id, who.worker_id,
                                       now, skip)
    if task is None:
        return None
    task.review_holder, task.review_until = who.worker_id, until
    session.flush()
    auditlog.record(session, who, "review.offer", task.id, org_id=project.org_id, at=now)
    return _item(session, project, task, until)


def _next_check(session: Session, who: WorkerPrincipal, project: Project, now: datetime,
                until: datetime, skip: Sequence[str]) -> dict[str, Any] | None:
    review = repository.find_review_to_check(session, project.org_id, project.id,
                                             who.worker_id, now, skip)
    if review is None:
        return None
    review.held_by, review.held_until = who.worker_id, until
    session.flush()
    auditlog.record(session, who, "review.offer", review.task_id, org_id=project.org_id, at=now)
    item = _item(session, project, repository.get_task(session, project.org_id, review.task_id),
                 until, level=2)
    item["review"] = {"review_id": review.id, "verdict": review.verdict,
                      "answer": review.answer, "comment": review.comment}
    return item


def held_task(session: Session, who: WorkerPrincipal, task_id: str) -> Task:
    """A task this reviewer holds now (a level-1 review, or the review of it they check at
    level 2): what the review page may read beside the item (a conversation's candidate
    replies). Any other task answers like a missing one."""
    task = repository.get_reviewed_task(session, who.worker_id, task_id)
    now = utcnow()
    if task is not None:
        check = repository.get_review_to_check(session, task.org_id, task.id)
        holds = (task.review_holder == who.worker_id and task.review_until is not None
                 and task.review_until > now) or (
            check is not None and check.held_by == who.worker_id
            and check.held_until is not None and check.held_until > now)
        if holds:
            return task
    raise NotFound(f"task {task_id} does not exist")


def _held_by_other(holder: str | None, until: datetime | None, worker_id: str,
                   now: datetime) -> bool:
    return holder is not None and holder != worker_id and until is not None and until > now


#: ``(session, project, org_id, task_id, answers)`` → the answers in the form their kind
#: matches (for a conversation: with its candidates' model names); the edge passes the
#: conversations feature's resolver, which lies above this one.
Resolve = Callable[[Session, Any, str, str, list[dict[str, Any]]], list[dict[str, Any]]]


def submit_review(session: Session, who: WorkerPrincipal, task_id: str, verdict: str,
                  answer: Any, comment: str | None, rejected: list[str],
                  level: int = 1, *, rng: random.Random,
                  resolve: Resolve | None = None) -> dict[str, Any]:
    # Only a task of a project this worker reviews: any other answers like a missing one.
    task = repository.get_task_for_reviewer(session, who.worker_id, task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    try:
        project = _reviewer_project(session, who, task.project_id, level)
    except NotFound:
        # A task outside the reviewer's queues answers exactly like a missing one.
        raise NotFound(f"task {task_id} does not exist") from None
    if repository.has_answered_task(session, who.worker_id, task.id):
        raise Forbidden("you cannot review a task you answered", code="own_task")
    now = utcnow()
    auditlog.record(session, who, "review.submit", task.id, org_id=task.org_id, at=now)
    if level == 2:
        return _submit_check(session, who, project, task, verdict, answer, comment, rejected,
                             now)
    if task.status != "completed" or task.review_status != "pending":
        raise Conflict("this task is not waiting for review", code="not_in_review")
    if _held_by_other(task.review_holder, task.review_until, who.worker_id, now):
        raise Conflict("another reviewer holds this task", code="review_held")
    answers = {r.id: r for r in _answers(session, task)}
    unknown = [a for a in rejected if a not in answers]
    if unknown:
        raise field_error("rejected_answers", f"not answers of this task: {unknown}")
    fixed = _fix(session, project, task, verdict, answer, len(answers), now)
    task.review_status = "fixed" if fixed is not None else "accepted"
    task.review_holder = task.review_until = None
    task.updated_at = now
    for answer_id, response in answers.items():
        response.review_verdict = "rejected" if answer_id in rejected else "accepted"
        if answer_id in rejected:
            response.review_comment = comment
            ledger.reverse_answer(session, task.org_id, response.id, "rejected in review",
                                  now)
    review = Review(id=new_id("rev"), org_id=task.org_id, project_id=project.id,
                    task_id=task.id, reviewer_id=who.worker_id, verdict=task.review_status,
                    answer=fixed, comment=comment, level=1, created_at=now,
                    second_status="pending" if _drawn_for_second_level(project, rng) else None)
    session.add(review)
    session.flush()
    _score_answers(session, project, task, list(answers.values()), set(rejected), now,
                   None if fixed is not None else resolve)
    return {"task_id": task.id, "review_status": task.review_status,
            "result": _shown_result(project, task.result), "review_id": review.id, "level": 1}


def _fix(session: Session, project: Project, task: Task, verdict: str, answer: Any,
         n_answers: int, now: datetime) -> Any:
    """Make a fix the task's result (and refire the callback); None for ``accept``."""
    if verdict != "fix":
        return None
    if answer is None:
        raise field_error("answer", "is required to fix a result")
    kind = get_kind(project.kind)
    offered = kind.fix_offered(project.params, [r.answer for r in _answers(session, task)],
                               answer)
    try:
        fixed = kind.validate_answer(project.params, task.data, answer, offered)
    except KindValidationError as exc:
        raise kind_error(exc) from exc
    replace_result(session, task, project, TaskResult(fixed, 1.0, "review", n_answers), now)
    return fixed


def _score_answers(session: Session, project: Project, task: Task, answers: list[Response],
                   rejected: set[str], now: datetime, resolve: Resolve | None = None) -> None:
    """Count each reviewed answer as a check of its worker: right unless rejected or, when
    the task has a reviewed result, not matching it (``quality.answers_match``: exact for
    categorical kinds, partial credit for the others). An accepted result is the kind's
    aggregate, which ``resolve`` puts the answers beside (a fix is an answer as given)."""
    final = (task.result or {}).get("answer")
    given = [r.answer for r in answers]
    checked = resolve(session, project, task.org_id, task.id, given) if resolve else given
    for response, seen in zip(answers, checked, strict=True):
        right = response.id not in rejected and (
            final is None or quality.answers_match(project, final, seen))
        quality.record_check(session, project, response.worker_id, "review", right, now)


def _submit_check(session: Session, who: WorkerPrincipal, project: Project, task: Task,
                  verdict: str, answer: Any, comment: str | None, rejected: list[str],
                  now: datetime) -> dict[str, Any]:
    if rejected:
        raise field_error("rejected_answers", "a second-level check upholds or fixes the "
                          "result; it does not reject answers")
    first = repository.get_review_to_check(session, task.org_id, task.id)
    if first is None:
        raise Conflict("this task has no review waiting for a second-level check",
                       code="not_in_review")
    if first.reviewer_id == who.worker_id:
        raise Forbidden("you cannot check your own review", code="own_review")
    if _held_by_other(first.held_by, first.held_until, who.worker_id, now):
        raise Conflict("another reviewer holds this review", code="review_held")
    fixed = _fix(session, project, task, verdict, answer,
                 len(_answers(session, task)), now)
    upheld = fixed is None
    first.second_status = "upheld" if upheld else "overturned"
    first.held_by = first.held_until = None
    if not upheld:
        task.review_status = "fixed"
        task.updated_at = now
    check = Review(id=new_id("rev"), org_id=task.org_id, project_id=project.id,
                   task_id=task.id, reviewer_id=who.worker_id,
                   verdict="accepted" if upheld else "fixed", answer=fixed, comment=comment,
                   level=2, checks_id=first.id, created_at=now)
    session.add(check)
    _score_reviewer(session, project, first.reviewer_id, upheld, now)
    session.flush()
    return {"task_id": task.id, "review_status": task.review_status,
            "result": _shown_result(project, task.result), "review_id": check.id, "level": 2,
            "checked": first.second_status}


def _score_reviewer(session: Session, project: Project, reviewer_id: str, upheld: bool,
                    now: datetime) -> None:
    """Keep the first reviewer's record as a reviewer; one confidently below the project's
    accuracy bar loses the role (recorded)."""
    standing = quality.standing_for(session, project, reviewer_id, now)
    standing.reviews_checked += 1
    standing.reviews_upheld += int(upheld)
    standing.updated_at = now
    bar = float(project.quality.get("min_worker_accuracy", 0.0))
    reviewer = repository.get_project_reviewer(session, project.org_id, project.id, reviewer_id)
    if reviewer is not None and confidently_below(standing.reviews_upheld,
                                                  standing.reviews_checked, bar):
        session.delete(reviewer)
        quality.record_event(session, project.org_id, project.id, reviewer_id,
                             "reviewer_removed", now, "low_review_accuracy",
                             f"{standing.reviews_upheld} of {standing.reviews_checked} "
                             "reviews upheld")


def worker_feedback(session: Session, who: WorkerPrincipal, limit: int = 100
                    ) -> list[dict[str, Any]]:
    """The worker's reviewed answers and, for reviewers, the second-level outcomes of their
    reviews; newest first."""
    rows = repository.list_reviewed_answers(session, who.worker_id, limit)
    items = [{"type": "answer", "answer_id": r.id, "project": r.project_id,
              "answer": r.answer, "verdict": r.review_verdict, "comment": r.review_comment,
              "answered_at": isoformat(r.created_at)} for r in rows]
    for review, comment in repository.list_checked_reviews(session, who.worker_id, limit):
        items.append({"type": "review", "review_id": review.id, "project": review.project_id,
                      "task_id": review.task_id, "verdict": review.second_status,
                      "comment": comment, "answered_at": isoformat(review.created_at)})
    items.sort(key=lambda item: str(item["answered_at"]), reverse=True)
    return items[:limit]


def reviewed_projects(session: Session, worker_id: str) -> dict[str, int]:
    """The projects this worker reviews, with their review level."""
    return repository.list_reviewer_levels(session, worker_id)


def review_level(session: Session, worker_id: str, project_id: str) -> int | None:
    """The worker's review level in the project, or None when they do not review it."""
    reviewer = repository.get_reviewer(session, worker_id, project_id)
    return reviewer.level if reviewer is not None else None


def count_awaiting_review(session: Session, who: Requester,
                          project_ids: Sequence[str]) -> dict[str, int]:
    """Per project: completed tasks flagged for review and not yet reviewed."""
    return repository.count_awaiting_review(session, who.org_id, project_ids)


def list_awaiting_review(session: Session, who: Requester, project_id: str,
                         limit: int) -> list[Task]:
    """The project's tasks flagged for review, the longest waiting first."""
    projects.get_project(session, who, project_id)
    return repository.list_awaiting_review(session, who.org_id, project_id, limit)


def list_reviewers(session: Session, who: Requester, project_id: str) -> list[dict[str, Any]]:
    """The project's reviewers and their levels (2: also checks other reviewers' decisions)."""
    projects.get_project(session, who, project_id)
    return [{"worker_id": r.worker_id, "level": r.level}
            for r in repository.list_project_reviewers(session, who.org_id, project_id)]
