"""What the tasks feature tells the features above it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TaskReopened:
    """A completed task went back to ``pending`` (its worker was paused, or the quality
    engine wants one more answer). Batches handle it: a completed batch is in progress
    again."""

    org_id: str
    task_id: str
    batch_id: str | None
    at: datetime


@dataclass(frozen=True)
class TasksErased:
    """Tasks were erased (``DELETE``, retention): they are no longer pending. Batches
    handle it: a batch in progress whose last pending task was erased completes."""

    org_id: str
    batch_ids: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class TaskContentErased:
    """The content of these tasks (``task_ids``), or of every task of a project
    (``project_id``), was erased. Curation handles it: the tasks' predictions, embeddings,
    suspects and duplicate pairs go too."""

    org_id: str
    task_ids: tuple[str, ...] | None
    project_id: str | None
    at: datetime
