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

from sqlalchemy.orm import Session

from assay.db.models import Response
from assay.kinds import get_kind
from assay.projects import repository

HOURS = 24
HOUR = repository.HOUR


def window_start(now: datetime, hours: int = HOURS) -> datetime:
    return now - hours * HOUR


def hour_end(now: datetime) -> datetime:
    """The end of the clock hour ``now`` is in."""
    return now.replace(minute=0, second=0, microsecond=0) + HOUR


def hourly_answers(session: Session, org_id: str, project_id: str, end: datetime,
                   hours: int = HOURS) -> list[int]:
    """Answers submitted to the project's live tasks in each hour of ``hours`` up to ``end``
    (answers of paused workers included: they were work done)."""
    return repository.count_answers_by_hour(session, org_id, project_id,
                                            window_start(end, hours), hours)


def hourly_completions(session: Session, org_id: str, project_id: str, end: datetime,
                       hours: int = HOURS) -> list[int]:
    """Tasks that completed (and are still completed) in each hour of ``hours`` up to
    ``end``."""
    return repository.count_completions_by_hour(session, org_id, project_id,
                                                window_start(end, hours), hours)


def recent_answers(session: Session, org_id: str, since: datetime,
                   project_ids: Sequence[str] | None = None) -> dict[str, tuple[int, datetime]]:
    """Per project: answers to live tasks submitted since ``since`` and when the first of
    them came."""
    return repository.count_recent_answers(session, org_id, since, project_ids)


def answers_left(session: Session, org_id: str,
                 project_ids: Sequence[str]) -> dict[str, int]:
    """Per project: answers still needed by its pending live tasks at their current overlap."""
    return repository.count_answers_left(session, org_id, project_ids)


# Below this many answers the rate is a guess, and the time left is not estimated.
MIN_ANSWERS = 3
# The shortest span a rate is taken over, so that answers seconds apart do not read as
# thousands an hour.
MIN_SPAN = timedelta(minutes=1)


def pace(answers: int, first: datetime | None, left: int, now: datetime) -> dict[str, Any]:
    """Answers per hour over the last 24 h and the hours left at that rate.

    The rate is the answers over the time actually elapsed since the window's first answer
    (at least :data:`MIN_SPAN`, at most the window), so a project that started ten minutes
    ago is judged by those ten minutes: neither by 24 idle hours nor by a whole hour.
    ``hours_left`` is ``None`` when it cannot be told: no recent answer, or fewer than
    :data:`MIN_ANSWERS` (``too_few`` is then true) while answers are still needed.
    """
    if not answers or first is None:
        return {"answers": 0, "per_hour": 0.0, "hours_left": 0.0 if left == 0 else None,
                "left": left, "too_few": False}
    span = min(max(now - first, MIN_SPAN), HOURS * HOUR) / HOUR
    rate = answers / span
    too_few = answers < MIN_ANSWERS and left > 0
    return {"answers": answers, "per_hour": rate,
            "hours_left": None if too_few else left / rate, "left": left, "too_few": too_few}


def label_distribution(kind: str, params: dict[str, Any],
                       counts: list[tuple[dict[str, Any], int]]) -> list[tuple[str, int]]:
    """How often each label was given, in the project's order, for the kinds that count
    their answers by label (``Kind.tally_labels``: categorize's labels, compare's
    choices); empty for the other kinds."""
    counted = get_kind(kind)
    order = counted.tally_labels(params)
    if not order:
        return []
    tally = dict.fromkeys(order, 0)
    for answer, n in counts:
        if not isinstance(answer, dict):
            continue
        for label in counted.answer_labels(answer):
            if isinstance(label, str):
                tally[label] = tally.get(label, 0) + n
    return list(tally.items())


def answer_counts(session: Session, org_id: str,
                  project_id: str) -> list[tuple[dict[str, Any], int]]:
    """Each distinct answer that counts on the project's live tasks, with how often it was
    given."""
    return repository.count_answers_by_value(session, org_id, project_id)


def task_answers(session: Session, org_id: str, task_id: str) -> Sequence[Response]:
    """Every answer to a task, in submission order, including those that no longer count."""
    return repository.list_task_answers(session, org_id, task_id)
