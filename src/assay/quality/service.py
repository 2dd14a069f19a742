"""Quality rules: gold and training tasks, a worker's standing in a project, pausing.

Gold tasks are hidden checks: stored as tasks whose status is ``gold``, leased through the
same queue with the same id shape, payload and lease, and mixed into live work at the
project's ``gold_rate``. Training tasks (status ``training``) form the course a worker
new to a project takes before live work. A worker whose checked accuracy is confidently
below the project's ``min_worker_accuracy`` is paused: their leases end, their answers
stop counting, and the tasks those answers completed reopen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.algorithms.reliability import accuracy_posterior, confidently_below
from assay.clock import isoformat, utcnow
from assay.db.models import ProjectWorker, Task, WorkerEvent
from assay.errors import InvalidInput, NotFound, validation_details
from assay.events import publish
from assay.ids import new_id
from assay.integrity import service as integrity
from assay.kinds import get_kind
from assay.kinds.base import KindValidationError
from assay.ledger import service as ledger
from assay.projects import service as projects
from assay.projects.service import kind_error
from assay.quality import disclosure, matching, repository
from assay.quality.events import WorkerPaused
from assay.quality.labels import categorical_labels
from assay.quality.schemas import GoldIn, TrainingIn
from assay.tasks.results import reopen_task

# Task status -> the kind of check an answer to it is. A retired gold task is no longer
# served, but an answer to a lease taken before it retired still checks the worker.
CHECKED = {"gold": "gold", "retired": "gold", "training": "training"}
SETTLED_BY_REVIEW = ("accepted", "fixed")
# A worker is a spammer, not just below the bar, when confidently no better than chance
# plus this margin.
SPAM_MARGIN = 0.15


def add_reference(session: Session, who: Requester, project_id: str, body: GoldIn,
                  purpose: str) -> Task:
    """Create a gold (``purpose="gold"``) or training task with its expected answer."""
    project = projects.get_project(session, who, project_id)
    kind = get_kind(project.kind)
    try:
        kind.validate_data(project.params, body.data)
        expected = kind.validate_answer(project.params, body.data, body.answer)
    except KindValidationError as exc:
        raise kind_error(exc) from exc
    now = utcnow()
    task = Task(
        id=new_id("tsk"), org_id=project.org_id, project_id=project.id, batch_id=None,
        status=purpose, purpose=purpose, held=False, data=body.data, meta={}, unique_id=None,
        priority=0, result=None, callback_url=None, callback_succeeded=None,
        review_status=None, overlap=1, slots_taken=0, n_responses=0, created_at=now,
        updated_at=now, completed_at=None, expected_answer=expected,
        explanation=body.explanation if isinstance(body, TrainingIn) else None,
    )
    session.add(task)
    session.flush()
    return task


def reference_object(task: Task) -> dict[str, Any]:
    obj = {"id": task.id, "project": task.project_id, "data": task.data,
           "answer": task.expected_answer, "created_at": isoformat(task.created_at)}
    if task.purpose == "training":
        obj["explanation"] = task.explanation or ""
    else:
        obj["retired"] = task.status == "retired"
    return obj


def retire_gold(session: Session, who: Requester, project_id: str, gold_id: str) -> Task:
    """Stop serving a gold task. Once retired, the workers who answered it see it, their
    answer and the expected answer as evidence of their standing. Retiring twice is a
    no-op."""
    project = projects.get_project(session, who, project_id)
    task = repository.get_reference_task(session, project.org_id, project.id, gold_id, "gold",
                                         for_update=True)
    if task is None:
        raise NotFound(f"gold task {gold_id} does not exist")
    if task.status != "retired":
        task.status = "retired"
        task.updated_at = utcnow()
        session.flush()
    return task


def answers_match(project: Any, expected: Any, answer: Any) -> bool:
    """Whether ``answer`` counts as right against ``expected`` in ``project``: exact for
    categorical answers, partial credit above the project's bars for spans, boxes, text and
    ratings (``quality/matching.py``, with ``quality.match``). Both are normalized answers;
    a missing one matches nothing."""
    if expected is None or answer is None:
        return False
    return matching.answers_match(project.kind, project.params, expected, answer,
                                  matching.MatchPolicy.from_quality(project.quality))


def standing_for(session: Session, project: Any, worker_id: str,
                 now: datetime) -> ProjectWorker:
    """The worker's standing row in the project, created when missing (row-locked)."""
    return _standing(session, project.org_id, project.id, worker_id, now)


def _standing(session: Session, org_id: str, project_id: str, worker_id: str,
              now: datetime) -> ProjectWorker:
    standing = repository.get_standing(session, project_id, worker_id, for_update=True)
    if standing is None:
        standing = ProjectWorker(project_id=project_id, worker_id=worker_id, org_id=org_id,
                                 answers=0, gold_answers=0, gold_correct=0,
                                 training_answers=0, training_correct=0, qualified=False,
                                 status="active", model_answers=0, updated_at=now)
        session.add(standing)
        session.flush()
    return standing


def _chance(project: Any) -> float | None:
    """The accuracy of random answers, where the kind has one."""
    found = categorical_labels(project)
    return 1.0 / len(found[1]) if found else None


def checked_record(standing: ProjectWorker | None) -> tuple[int, int]:
    """How many of the worker's checked answers (gold and review) were right, and how many
    there were, over their whole record in the project."""
    if standing is None:
        return 0, 0
    return (standing.gold_correct + standing.review_correct,
            standing.gold_answers + standing.review_answers)


def checks(standing: ProjectWorker) -> tuple[int, int]:
    """The worker's checked answers and how many were right, counted since the last lifted
    pause: the evidence the accuracy bar applies to. Gold checks count once disclosed to
    the worker (``disclosure.py``), so the bar judges what the worker can see."""
    correct, answers = disclosure.disclosed_record(standing)
    return correct - standing.base_correct, answers - standing.base_answers


def pause_reason(correct: int, answers: int, bar: float, chance: float | None,
                 risk: float = 0.05, min_answers: int = 5) -> str | None:
    """The reason to pause a worker with ``correct`` of ``answers`` right, or None: ``spam``
    when they are confidently no better than chance (+ ``SPAM_MARGIN``), ``low_accuracy``
    when they are confidently below the bar only."""
    if not confidently_below(correct, answers, bar, risk, min_answers):
        return None
    spam = chance is not None and confidently_below(
        correct, answers, min(1.0, chance + SPAM_MARGIN), risk, min_answers)
    return "spam" if spam else "low_accuracy"


def _apply_bar(session: Session, project: Any, standing: ProjectWorker, now: datetime) -> None:
    """Pause the worker when their checked accuracy is confidently below the bar."""
    if standing.status != "active":
        return
    bar = float(project.quality.get("min_worker_accuracy", 0.0))
    reason = pause_reason(*checks(standing), bar, _chance(project))
    if reason is not None:
        pause_worker(session, project, standing.worker_id, reason, now)


def record_check(session: Session, project: Any, worker_id: str, purpose: str, correct: bool,
                 now: datetime) -> ProjectWorker:
    """Count a gold, review or training answer, then apply the project's accuracy bar
    (the course has its own rule: ``finish_course``)."""
    standing = _standing(session, project.org_id, project.id, worker_id, now)
    if purpose == "gold":
        standing.gold_answers += 1
        standing.gold_correct += int(correct)
    elif purpose == "review":
        standing.review_answers += 1
        standing.review_correct += int(correct)
    else:
        standing.training_answers += 1
        standing.training_correct += int(correct)
    standing.updated_at = now
    session.flush()
    if purpose == "training":
        if standing.training_answers >= repository.count_reference(
                session, project.org_id, project.id, "training"):
            finish_course(session, project, worker_id, now)
    elif purpose == "review":
        # A gold check meets the bar when it is disclosed (disclose_due_checks): a pause
        # right after a gold answer would give the check away.
        _apply_bar(session, project, standing, now)
    session.flush()
    return standing


def disclose_due_checks(session: Session, org_id: str, project_id: str, worker_id: str,
                        now: datetime) -> None:
    """After each answer: at the worker's disclosure points, their gold checks enter the
    figures they see, and the accuracy bar applies to them."""
    disclosed = disclosure.disclose_if_due(session, org_id, project_id, worker_id)
    if disclosed is not None:
        project, standing = disclosed
        standing.updated_at = now
        _apply_bar(session, project, standing, now)


def lift_pause(standing: ProjectWorker, now: datetime) -> None:
    """Make a paused worker active again with a fresh start: the accuracy bar applies to the
    checks made from now on (the record itself stays)."""
    standing.status = "active"
    standing.pause_reason = None
    disclosure.disclose(standing)  # the fresh start begins after every check so far
    standing.base_correct, standing.base_answers = disclosure.disclosed_record(standing)
    standing.updated_at = now


def record_event(session: Session, org_id: str, project_id: str, worker_id: str, kind: str,
                 now: datetime, reason: str | None = None, note: str | None = None) -> None:
    """Append to the worker's standing record in the project."""
    session.add(WorkerEvent(id=new_id("wev"), org_id=org_id, project_id=project_id,
                            worker_id=worker_id, kind=kind, reason=reason, note=note,
                            created_at=now))


def finish_course(session: Session, project: Any, worker_id: str, now: datetime) -> bool:
    """The worker has been through the course: qualify them, or pause them when their
    score is below the project's bar. Returns whether they may do live work."""
    standing = _standing(session, project.org_id, project.id, worker_id, now)
    if standing.qualified:
        return True
    if standing.status == "paused":
        return False
    bar = float(project.quality.get("min_worker_accuracy", 0.0))
    answered = standing.training_answers
    score = standing.training_correct / answered if answered else 0.0
    if bar <= 0.0 or (answered and score >= bar):
        standing.qualified = True
        standing.updated_at = now
        return True
    pause_worker(session, project, worker_id, "low_accuracy", now)
    return False


def pause_worker(session: Session, project: Any, worker_id: str, reason: str,
                 now: datetime, note: str | None = None) -> None:
    """Pause a worker in a project (a row or object with ``id`` and ``org_id``): their
    leases end, their answers stop counting, and the tasks they touched go back to the
    pool (a completed one returns to pending)."""
    project_id = project.id
    standing = _standing(session, project.org_id, project_id, worker_id, now)
    if standing.status == "paused":
        return
    standing.status = "paused"
    standing.pause_reason = reason
    standing.paused_at = now
    standing.updated_at = now
    correct, answers = checks(standing)
    evidence = f"{correct} of {answers} checked answers right" if answers else None
    record_event(session, project.org_id, project_id, worker_id, "paused", now, reason,
                 note or evidence)
    session.flush()
    if reason in ledger.REVERSED_REASONS:
        # Spam and fraud are not paid; an honest worker below the bar keeps their pay.
        ledger.reverse_earnings(session, project.org_id, project_id, worker_id, reason, now)
    publish(session, WorkerPaused(project.org_id, project_id, worker_id, reason, now))
    for task_id in repository.stop_counting_answers(session, project_id, worker_id):
        task = repository.get_task_for_update(session, project.org_id, task_id)
        task.n_responses -= 1
        task.slots_taken -= 1
        task.updated_at = now
        # A task a reviewer accepted or fixed stays settled: the review decided it.
        if task.status == "completed" and task.review_status not in SETTLED_BY_REVIEW:
            reopen_task(session, task, now)
    session.flush()


def worker_report(session: Session, who: Requester, project_id: str, after: str | None,
                  limit: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Every worker who answered in the project (ids only), with their standing."""
    project = projects.get_project(session, who, project_id)
    counts = repository.count_answers_by_worker(session, project.org_id, project.id, after,
                                                limit)
    standings = repository.list_standings(session, project.org_id, project.id,
                                          [w for w, _ in counts])
    bar = float(project.quality.get("min_worker_accuracy", 0.0))
    earned = ledger.earned_by_worker(session, project.org_id, project.id)
    flags = integrity.count_by_worker(session, project.org_id, project.id)
    docs = []
    for worker_id, answers in counts:
        s = standings.get(worker_id)
        gold, right = (s.gold_answers, s.gold_correct) if s else (0, 0)
        reviewed, upheld = (s.review_answers, s.review_correct) if s else (0, 0)
        all_right, checked = checked_record(s)
        docs.append({
            "worker_id": worker_id,
            "answers": answers,
            "gold_answers": gold,
            "gold_accuracy": right / gold if gold else None,
            "review_answers": reviewed,
            "review_accuracy": upheld / reviewed if reviewed else None,
            "estimated_accuracy": (accuracy_posterior(all_right, checked, bar).mean
                                   if checked else None),
            "status": s.status if s else "active",
            "pause_reason": s.pause_reason if s else None,
            "earned": earned.get(worker_id, "0.00"),
            "flags": flags.get(worker_id, 0),
        })
    return docs, [w for w, _ in counts]


def project_summaries(session: Session, who: Requester,
                      project_ids: Sequence[str]) -> dict[str, dict[str, float | int | None]]:
    """Per project, the dashboard's quality figures: the share of gold answers that were
    right (``None`` before any) and the crowd's estimated accuracy, the model's expected
    right answers over its answers (``None`` before a refit has estimated anyone)."""
    sums = repository.sum_checks_by_project(session, who.org_id, project_ids)
    out: dict[str, dict[str, float | int | None]] = {}
    for pid in project_ids:
        right, gold, expected, modelled = sums.get(pid, (0, 0, 0.0, 0.0))
        out[pid] = {"gold_answers": gold, "gold_accuracy": right / gold if gold else None,
                    "estimated_accuracy": expected / modelled if modelled else None}
    return out


def reference_report(session: Session, who: Requester, project_id: str, purpose: str,
                     limit: int) -> list[dict[str, Any]]:
    """The project's gold (or training) tasks, oldest first, each as the API shows it plus
    how workers did on it: ``answers`` given and the share ``right`` (``None`` before
    any)."""
    projects.get_project(session, who, project_id)
    rows = repository.list_reference(session, who.org_id, project_id, purpose, None, limit)
    counts = repository.count_reference_answers(session, who.org_id, project_id, purpose)
    out = []
    for task in rows:
        answers, right = counts.get(task.id, (0, 0))
        out.append({**reference_object(task), "answers": answers,
                    "right": right / answers if answers else None})
    return out


def import_references(session: Session, who: Requester, project_id: str, purpose: str,
                      rows: Sequence[tuple[int, Any]]) -> dict[str, Any]:
    """Gold (or training) tasks from a file's rows (``(line, {"data", "answer",
    "explanation"?})``, or ``(line, error)`` for a line that could not be read), all or
    nothing: any bad row raises :class:`InvalidInput` listing the bad rows by line."""
    projects.get_project(session, who, project_id)
    schema = TrainingIn if purpose == "training" else GoldIn
    errors: list[dict[str, Any]] = []
    created = 0
    for line, row in rows:
        if isinstance(row, Exception):
            errors.append({"line": line, "code": "invalid_json", "message": str(row)})
            continue
        try:
            add_reference(session, who, project_id, schema.model_validate(row), purpose)
            created += 1
        except ValidationError as exc:
            errors.append({"line": line, "code": "invalid_input", "message": "invalid row",
                           "fields": validation_details(list(exc.errors()))})
        except InvalidInput as exc:
            errors.append({"line": line, "code": exc.code, "message": exc.message,
                           "fields": exc.details.get("fields", [])})
    if errors:
        raise InvalidInput(f"{len(errors)} invalid rows; nothing was imported "
                           f"(line {errors[0]['line']}: {errors[0]['message']})",
                           {"errors": errors[:100], "invalid_rows": len(errors)})
    return {"created": created}
