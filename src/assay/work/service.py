"""The work queue: leasing the next task, submitting, skipping, completing.

Every operation is one transaction. The overlap rule holds because the task row is locked
(``FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) while ``slots_taken`` is
checked and changed; a (task, worker) pair can be leased once, ever (a unique constraint).
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.accounts.service import WorkerPrincipal, get_worker
from assay.auditlog import service as auditlog
from assay.clock import isoformat
from assay.conversations import service as conversations
from assay.db.models import Worker
from assay.db.types import AnyRow
from assay.errors import Conflict, Forbidden, NotFound, RateLimited
from assay.ids import new_id
from assay.integrity import service as integrity
from assay.kinds import get_kind
from assay.kinds.base import KindValidationError
from assay.ledger import service as ledger
from assay.projects import service as projects
from assay.projects.service import kind_error
from assay.quality import access, adaptive
from assay.quality import service as quality
from assay.tasks.answers import count_worker_answers
from assay.work import repository
from assay.work.completion import complete_task

UNDO_SECONDS = 5.0
"""How long the labeling page holds an answer back for an undo when the project sets no
``limits.undo_seconds``."""


def undo_seconds(limits: dict[str, Any] | None) -> float:
    """The project's undo window in seconds (0: none)."""
    value = (limits or {}).get("undo_seconds")
    return UNDO_SECONDS if value is None else float(value)


def _worker(session: Session, who: WorkerPrincipal) -> Worker:
    return get_worker(session, who.worker_id)


def offer(assignment_id: str, expires_at: datetime, project: AnyRow,
          data: Any, suggestion: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a worker sees of a task: never its result, its other answers or its metadata;
    a suggestion (a pre-label from an uploaded prediction) where the project shows them."""
    shown = {
        "assignment_id": assignment_id,
        "project": project.id,
        "kind": project.kind,
        "instructions": project.instructions,
        "params": project.params,
        "data": get_kind(project.kind).worker_data(project.params, data),
        "expires_at": isoformat(expires_at),
    }
    if suggestion is not None:
        shown["suggestion"] = suggestion
    return shown


def held_out(task_id: str, holdout: float) -> bool:
    """Whether the task is in the control group that is served without its suggestion:
    the first 8 bytes of the SHA-256 of its id, as a fraction of 2**64, below ``holdout``.
    Deterministic, so every worker of a task is in the same group."""
    if holdout <= 0:
        return False
    digest = hashlib.sha256(task_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") < holdout * 2.0**64


def _suggestion(session: Session, project: AnyRow, task_id: str) -> dict[str, Any] | None:
    """The pre-label of a live task whose project shows suggestions (``curation.
    suggestions``), from its uploaded prediction, ``{"label", "probability", "shown"}``:
    ``shown`` false for a task of the held-out control group (``curation.
    suggestions_holdout``). None for a gold or training task (they have no prediction, and
    the query takes live tasks only) or when the switch is off."""
    curation = getattr(project, "curation", None) or {}
    if not curation.get("suggestions"):
        return None
    found = repository.get_suggestion(session, project.org_id, task_id)
    if found is None:
        return None
    holdout = float(curation.get("suggestions_holdout") or 0.0)
    return {**found, "shown": not held_out(task_id, holdout)}


def _shown(suggestion: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the worker sees of an assignment's suggestion: nothing when held back."""
    if not suggestion or not suggestion.get("shown"):
        return None
    return {"label": suggestion["label"], "probability": suggestion["probability"]}


_EXPIRY_EVERY = timedelta(seconds=0.5)
_last_expiry: dict[tuple[str, ...], datetime] = {}


def _expire_due_leases(session: Session, project_ids: list[str], now: datetime) -> None:
    """Return the slots of overdue leases in these projects, at most every half second per
    process (the job runner sweeps every project too). Until then an overdue lease still
    holds its slot, which can only delay work, never over-assign it."""
    key = tuple(project_ids)
    last = _last_expiry.get(key)
    if last is not None and last <= now < last + _EXPIRY_EVERY:
        return
    if len(_last_expiry) > 10_000:
        _last_expiry.clear()
    _last_expiry[key] = now
    repository.expire_leases(session, project_ids, now)


def _lease(session: Session, who: WorkerPrincipal, task: AnyRow, project: AnyRow,
           now: datetime, *, guard: bool) -> dict[str, Any] | None:
    """Insert the assignment and take the slot; None when the same worker raced itself to
    this task (possible only on PostgreSQL, where ``guard`` wraps the insert)."""
    assignment_id = new_id("asg")
    expires_at = now + timedelta(seconds=project.lease_seconds)
    suggestion = _suggestion(session, project, task.id)
    values: dict[str, Any] = {"assignment_id": assignment_id, "org_id": task.org_id,
                              "project_id": task.project_id, "task_id": task.id,
                              "worker_id": who.worker_id, "now": now,
                              "expires_at": expires_at, "suggestion": suggestion}
    if guard:
        try:
            with session.begin_nested():
                repository.insert_assignment(session, **values)
        except IntegrityError:
            return None
    else:  # SQLite: writers are serialized, no race is possible
        repository.insert_assignment(session, **values)
    repository.add_slots(session, task.org_id, task.id, 1)
    auditlog.record(session, who, "task.offer", task.id, org_id=task.org_id, at=now)
    return offer(assignment_id, expires_at, project, task.data, _shown(suggestion))


def _course_first(session: Session, who: WorkerPrincipal, project_ids: list[str],
                  now: datetime, guard: bool) -> tuple[dict[str, Any] | None, set[str]]:
    """A worker new to a project with a course takes it before live work. Returns a
    training offer, or the projects whose live work stays closed to this worker."""
    closed = access.closed_by_course(session, who.worker_id, project_ids)
    for pid in sorted(closed):
        project = projects.get_project_for_worker(session, who.org_id, pid, who.worker_id)
        if project is None:
            continue
        lesson = access.unseen_lesson(session, pid, who.worker_id)
        if lesson is not None:
            offered = _lease(session, who, lesson, project, now, guard=guard)
            if offered is not None:
                return offered, closed
            continue
        if quality.finish_course(session, project, who.worker_id, now):
            closed.discard(pid)
    return None, closed


def lease_next(session: Session, who: WorkerPrincipal, project_id: str | None,
               now: datetime, rng: random.Random,
               holding: str | None = None) -> dict[str, Any] | None:
    """Lease the worker's next task (or hand back their live one); ``rng`` draws the hidden
    gold checks. ``holding`` names a live assignment whose answer the page holds back for
    an undo: it is not handed back, so the next task is leased beside it (a worker holds at
    most two live assignments in a project), and its measured time stops now. Nothing here
    depends on whether a task is gold."""
    project: AnyRow | None = None
    if project_id is not None:
        project = projects.get_project_for_worker(session, who.org_id, project_id,
                                                  who.worker_id)
        if project is None:
            if projects.is_above_clearance(session, who.org_id, project_id, who.worker_id):
                return None  # nothing for this worker (API.md: 204, not 404)
            raise NotFound(f"project {project_id} does not exist")
        _check_active(session, project.id, who.worker_id)
        project_ids = [project.id]
    else:
        project_ids = projects.eligible_project_ids(session, who.org_id, who.worker_id)
        paused = access.paused_projects(session, who.worker_id, project_ids)
        project_ids = [p for p in project_ids if p not in paused]
        if not project_ids:
            return None
    if holding is not None:
        repository.hold_assignment(session, who.worker_id, holding, now)
    live = repository.get_live_assignment(session, who.worker_id, project_ids, now, holding)
    if live is not None:
        auditlog.record(session, who, "task.offer", live.task_id, org_id=live.org_id, at=now)
        live_project = projects.get_project_row(session, live.org_id, live.project_id)
        return offer(live.id, live.expires_at, live_project,
                     repository.get_task_data(session, live.org_id, live.task_id),
                     _shown(live.suggestion))
    guard = session.get_bind().dialect.name == "postgresql"
    lesson, closed = _course_first(session, who, project_ids, now, guard)
    if lesson is not None:
        return lesson
    if closed:
        if project_id is not None:
            _check_active(session, project_id, who.worker_id)  # failing the course pauses
        project_ids = [p for p in project_ids if p not in closed]
        if not project_ids:
            return None
    _expire_due_leases(session, project_ids, now)
    tried: list[str] = []
    for _ in range(5):
        task = repository.find_open_task(session, who.worker_id, project_ids, tried,
                                         lock=guard)
        if task is None:
            return None
        if project is None or task.project_id != project.id:
            project = projects.get_project_row(session, task.org_id, task.project_id)
        gold_rate = float(project.quality.get("gold_rate", 0.0))
        if gold_rate > 0 and rng.random() < gold_rate:
            # A hidden check instead of this task: same id shape, payload and lease.
            check = access.unseen_gold(session, project.id, who.worker_id)
            if check is not None:
                offered = _lease(session, who, check, project, now, guard=guard)
                if offered is not None:
                    return offered
        offered = _lease(session, who, task, project, now, guard=guard)
        if offered is not None:
            return offered
        tried.append(task.id)
    return None


def _check_active(session: Session, project_id: str, worker_id: str) -> None:
    if access.is_paused(session, project_id, worker_id):
        raise Forbidden("you are paused in this project", code="worker_paused")


def _open_assignment(session: Session, who: WorkerPrincipal, assignment_id: str,
                     now: datetime) -> AnyRow:
    assignment = repository.get_assignment_for_worker(session, who.worker_id, assignment_id,
                                                      for_update=True)
    if assignment is None:
        raise NotFound(f"assignment {assignment_id} does not exist")
    # A paused worker hears that first (pausing also ends their leases).
    _check_active(session, assignment.project_id, who.worker_id)
    if assignment.status == "submitted":
        raise Conflict("this assignment was already submitted", code="already_submitted")
    if assignment.status == "skipped":
        raise Conflict("this assignment was skipped", code="assignment_closed")
    if assignment.status == "expired" or assignment.expires_at <= now:
        raise Conflict("this assignment expired; ask for the next task",
                       {"expired_at": isoformat(assignment.expires_at)},
                       code="assignment_expired")
    return assignment


def _check_rate(session: Session, project: AnyRow, worker_id: str, now: datetime) -> None:
    limit = (project.limits or {}).get("answers_per_minute")
    if not limit:
        return
    recent = repository.count_recent_answers(session, worker_id, project.id,
                                             now - timedelta(seconds=60))
    if recent >= limit:
        raise RateLimited(f"at most {limit} answers a minute in this project", retry_after=60)


def submit_answer(session: Session, who: WorkerPrincipal, assignment_id: str, answer: Any,
                  now: datetime, rng: random.Random, and_next: bool = False,
                  holding: str | None = None) -> dict[str, Any]:
    task = repository.lock_task_of_assignment(session, who.worker_id, assignment_id)
    if task is None:  # not the worker's assignment (nor anyone's)
        raise NotFound(f"assignment {assignment_id} does not exist")
    assignment = _open_assignment(session, who, assignment_id, now)
    receipt = _record_answer(session, who, assignment, task, answer, now, rng)
    auditlog.record(session, who, "task.answer", assignment.task_id, org_id=assignment.org_id,
                    at=now)
    quality.disclose_due_checks(session, assignment.org_id, assignment.project_id,
                                who.worker_id, now)
    if and_next:
        return then_next(session, who, receipt, assignment.project_id, now, rng, holding)
    return receipt


def _record_answer(session: Session, who: WorkerPrincipal, assignment: AnyRow, task: AnyRow,
                   answer: Any, now: datetime, rng: random.Random) -> dict[str, Any]:
    project = projects.get_project_row(session, assignment.org_id, assignment.project_id)
    if task.status == "canceled":
        raise Conflict("the task was canceled", code="task_canceled")
    if task.status == "erased":  # erasing ends leases; one taken in the same instant ends here
        raise Conflict("this assignment expired; ask for the next task",
                       code="assignment_expired")
    _check_rate(session, project, who.worker_id, now)
    kind = get_kind(project.kind)
    offered = None
    if kind.conversation(project.params, task.data) is not None:
        offered = conversations.offered_turns(session, task.org_id, assignment.id)
    try:
        clean = kind.validate_answer(project.params, task.data, answer, offered)
    except KindValidationError as exc:
        raise kind_error(exc) from exc
    purpose = quality.CHECKED.get(task.status)  # gold (live or retired since), training
    checked = purpose is not None
    correct = quality.answers_match(
        project, task.expected_answer,
        conversations.resolved(session, project, task.org_id, task.id, clean)
    ) if checked else None
    response_id = new_id("rsp")
    # The time is the server's: lease to answer (to the moment the page began holding the
    # answer back, where it did; `hold_assignment`).
    answered_at = assignment.finished_at or now
    duration_ms = max(0, int((answered_at - assignment.created_at).total_seconds() * 1000))
    repository.insert_response(
        session, response_id=response_id, org_id=task.org_id, project_id=task.project_id,
        task_id=task.id, assignment_id=assignment.id, worker_id=who.worker_id, answer=clean,
        correct=correct, duration_ms=duration_ms, now=now)
    integrity.flag_fast_answer(session, project, who.worker_id, response_id, duration_ms, now)
    repository.finish_assignment(session, who.worker_id, assignment.id, "submitted", now)
    ledger.record_earning(session, project, who.worker_id, response_id, now,
                          training=task.status == "training")
    out: dict[str, Any] = {"assignment_id": assignment.id, "status": "submitted"}
    if checked:
        # Gold answers look like any other from the worker's side; a training answer
        # shows the expected answer and the explanation.
        quality.record_check(session, project, who.worker_id, str(purpose), bool(correct),
                             now)
        if purpose == "training":
            out["feedback"] = {"correct": correct, "expected": task.expected_answer,
                               "explanation": task.explanation or ""}
        return out
    n_responses = task.n_responses + 1
    repository.count_response(session, task.org_id, task.id, now)
    if task.status != "pending":
        return out
    if adaptive.applies(project):
        decision = adaptive.decide(
            session, task, project, n_responses,
            lambda answers: conversations.resolved_answers(session, project, task.org_id,
                                                           task.id, answers))
        if decision.result is not None:
            complete_task(session, task, project, now, rng, decision.result, decision.review)
        elif decision.overlap is not None:
            repository.set_overlap(session, task.org_id, task.id, decision.overlap)
    elif n_responses >= task.overlap:
        complete_task(session, task, project, now, rng)
    return out


def then_next(session: Session, who: WorkerPrincipal, receipt: dict[str, Any],
              project_id: str, now: datetime, rng: random.Random,
              holding: str | None = None) -> dict[str, Any]:
    """Add the worker's next task to a submit or skip receipt (one round trip per task for
    the labeling page). A worker this answer paused gets ``next: null``; their next call
    to ``next`` says why."""
    try:
        receipt["next"] = lease_next(session, who, project_id, now, rng, holding)
    except Forbidden:
        receipt["next"] = None
    return receipt


def skip_assignment(session: Session, who: WorkerPrincipal, assignment_id: str,
                    reason: str | None, comment: str | None, now: datetime,
                    rng: random.Random, and_next: bool = False,
                    holding: str | None = None) -> dict[str, Any]:
    repository.lock_task_of_assignment(session, who.worker_id, assignment_id)
    assignment = _open_assignment(session, who, assignment_id, now)
    repository.finish_assignment(session, who.worker_id, assignment.id, "skipped", now,
                                 reason=reason or "other", comment=comment)
    auditlog.record(session, who, "task.skip", assignment.task_id, org_id=assignment.org_id,
                    at=now)
    repository.add_slots(session, assignment.org_id, assignment.task_id, -1)
    receipt = {"assignment_id": assignment.id, "status": "skipped"}
    return then_next(session, who, receipt, assignment.project_id, now, rng, holding) \
        if and_next else receipt


def worker_standing(session: Session, who: WorkerPrincipal,
                    project_id: str | None) -> dict[str, Any]:
    """The worker's own view: overall, or in one project (accuracy from checked answers)."""
    worker = _worker(session, who)
    status = "active"
    gold = right = 0
    if project_id is not None:
        if projects.get_project_for_worker(session, worker.org_id, project_id,
                                           worker.id) is None:
            raise NotFound(f"project {project_id} does not exist")
        standing = access.standing(session, project_id, worker.id)
        if standing is not None:  # gold checks as disclosed to the worker (in batches)
            status, gold, right = (standing.status, standing.gold_shown_answers,
                                   standing.gold_shown_correct)
    else:
        for standing in access.standings_of(session, worker.id):
            gold += standing.gold_shown_answers
            right += standing.gold_shown_correct
    return {
        "worker_id": worker.id,
        "status": status,
        "answers": count_worker_answers(session, worker.id, project_id),
        "answers_today": count_worker_answers(
            session, worker.id, project_id,
            since=datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)),
        "accuracy": right / gold if gold else None,
        **ledger.standing_money(session, worker.id, project_id),
    }
