"""What the quality engine tells the features above it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class WorkerPaused:
    """A worker was paused in a project. The work queue ends their live leases there; the
    quality engine itself then stops counting their answers."""

    org_id: str
    project_id: str
    worker_id: str
    reason: str
    at: datetime
