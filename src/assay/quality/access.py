"""What the quality engine lets a worker do in the queue: whether they are paused, the
course they take before live work, and the hidden checks they have not seen yet.

The work queue (above quality) asks these; it never reads quality's tables itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from assay.db.models import ProjectWorker
from assay.db.types import AnyRow
from assay.quality import repository


def is_paused(session: Session, project_id: str, worker_id: str) -> bool:
    return repository.get_status(session, project_id, worker_id) == "paused"


def paused_projects(session: Session, worker_id: str, project_ids: Sequence[str]) -> set[str]:
    """Of ``project_ids``, those where the worker is paused."""
    return repository.list_paused_projects(session, worker_id, project_ids)


def closed_by_course(session: Session, worker_id: str, project_ids: Sequence[str]) -> set[str]:
    """Of ``project_ids``, those with a course the worker has not passed yet."""
    return repository.list_unqualified_course_projects(session, worker_id, project_ids)


def unseen_lesson(session: Session, project_id: str, worker_id: str) -> AnyRow | None:
    """A training task of the project the worker has not been given yet."""
    return repository.find_unseen_reference(session, project_id, worker_id, "training")


def unseen_gold(session: Session, project_id: str, worker_id: str) -> AnyRow | None:
    """A live gold task of the project the worker has not been given yet."""
    return repository.find_unseen_reference(session, project_id, worker_id, "gold")


def standing(session: Session, project_id: str, worker_id: str) -> ProjectWorker | None:
    return repository.get_standing(session, project_id, worker_id)


def standings_of(session: Session, worker_id: str) -> list[ProjectWorker]:
    """The worker's standing in every project they have one in."""
    return repository.list_worker_standings(session, worker_id)
