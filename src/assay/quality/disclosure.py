"""Gold checks reach a worker's own figures in batches, never one by one.

A gold task looks like any other task, but a worker who could read their figures change
right after an answer (``gold_answers`` up by one, ``gold_correct`` up or not) would learn
that this item was a check, and its answer. So the figures a worker sees — in
``GET /v1/work/me``, ``GET /v1/work/standing`` and on their pages — count only the checks
*disclosed* to them, and checks are disclosed at fixed points of the worker's own answer
count in the project: every ``quality.disclose_every``-th answer (default 10, at least 5),
live and gold answers alike. At such a point every check made so far is disclosed at once,
so a change says "some of your last N answers were checks", never which. Nothing changes
at any other answer, whether or not it was a check.

The accuracy bar applies to the disclosed checks (``service.checks``), so a pause happens
at a disclosure point too, and the estimate a worker sees is the one they are judged by.
Review checks are not hidden (a reviewer's verdict is feedback the worker reads) and count
at once. The requester's ``GET /v1/projects/{id}/workers`` counts every check as it is
made. Granting an appeal or resuming a worker discloses every check so far: the fresh
start begins after them.

``shown_through`` is the worker's answer at the last disclosure point: counting the answers
after it finds the next point without counting the worker's whole history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assay.db.models import ProjectWorker
from assay.projects import service as projects
from assay.quality import repository

DEFAULT_EVERY = 10
MIN_EVERY = 5


def disclose_every(project: Any) -> int:
    """The project's disclosure period, in answers."""
    return int((project.quality or {}).get("disclose_every") or DEFAULT_EVERY)


def shown_gold(standing: ProjectWorker | None) -> tuple[int, int]:
    """The disclosed gold checks: ``(answers, correct)``."""
    if standing is None:
        return 0, 0
    return standing.gold_shown_answers, standing.gold_shown_correct


def disclosed_record(standing: ProjectWorker | None) -> tuple[int, int]:
    """How many of the worker's checks the worker may see (disclosed gold and every review
    check) were right, and how many there were: ``(correct, answers)``."""
    if standing is None:
        return 0, 0
    answers, correct = shown_gold(standing)
    return correct + standing.review_correct, answers + standing.review_answers


def disclose(standing: ProjectWorker, through: str | None = None) -> None:
    """Disclose every gold check made so far (``through``: the answer this happens at)."""
    standing.gold_shown_answers = standing.gold_answers
    standing.gold_shown_correct = standing.gold_correct
    if through is not None:
        standing.shown_through = through


def disclose_if_due(session: Session, org_id: str, project_id: str,
                    worker_id: str) -> tuple[Any, ProjectWorker] | None:
    """After an answer of the worker: when checks wait and this answer is a disclosure
    point, disclose them and return ``(project row, standing)`` (row-locked); else None.
    One small read per answer while nothing waits."""
    state = repository.get_disclosure_state(session, project_id, worker_id)
    if state is None or state.gold_answers == state.gold_shown_answers:
        return None
    project = projects.get_project_row(session, org_id, project_id)
    count, newest = repository.count_answers_after(session, org_id, project_id, worker_id,
                                                   state.shown_through)
    if count == 0 or count % disclose_every(project):
        return None
    standing = repository.get_standing(session, project_id, worker_id, for_update=True)
    if standing is None:
        return None
    disclose(standing, newest)
    return project, standing
