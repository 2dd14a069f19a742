"""Reads of workers' answers that features above tasks need (pay, standing, operators)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from assay.tasks import repository


def has_answered(session: Session, org_id: str, worker_id: str, project_id: str) -> bool:
    """Whether the worker has given at least one answer in the organization's project."""
    return repository.has_answered(session, org_id, worker_id, project_id)


def count_worker_answers(session: Session, worker_id: str, project_id: str | None,
                         since: datetime | None = None) -> int:
    """The worker's answers, overall or in one project, optionally since a moment."""
    return repository.count_worker_answers(session, worker_id, project_id, since)
