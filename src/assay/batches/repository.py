"""Batch queries, always scoped to an organization."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from assay.db.models import Batch


def set_in_progress_if_completed(session: Session, org_id: str, batch_id: str,
                                 now: datetime) -> None:
    """A completed batch whose task reopened is in progress again."""
    session.execute(update(Batch).where(Batch.org_id == org_id, Batch.id == batch_id,
                                        Batch.status == "completed")
                    .values(status="in_progress", updated_at=now))
