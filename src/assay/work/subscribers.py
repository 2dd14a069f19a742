"""How the work queue follows what the quality engine decides."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assay.events import subscribe
from assay.quality.events import WorkerPaused
from assay.work import repository


def on_worker_paused(session: Session, event: WorkerPaused) -> None:
    """A paused worker's live leases in the project end; their slots return to the pool."""
    repository.end_worker_leases(session, event.org_id, event.project_id, event.worker_id,
                                 event.at)


def install() -> None:
    subscribe(WorkerPaused, on_worker_paused)
