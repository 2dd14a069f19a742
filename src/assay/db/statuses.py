"""The states a row can be in, one enum each. The database holds the same sets as CHECK
constraints (PostgreSQL) or triggers (SQLite): migration 0012 builds them from these enums,
so a status that is not listed here cannot be stored, whoever writes it.

They are ``StrEnum``: a member equals its string (``TaskStatus.PENDING == "pending"``), so
JSON documents and queries take them as they are.
"""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    """A task's place in its life. Live tasks are ``pending`` → ``completed`` |
    ``canceled`` | ``error`` (and back to ``pending`` when an answer stops counting);
    hidden checks are stored as tasks whose status is their purpose (``gold``, ``retired``
    gold, ``training``), so the live queue never scans them."""

    PENDING = "pending"
    COMPLETED = "completed"
    CANCELED = "canceled"
    ERROR = "error"
    GOLD = "gold"
    RETIRED = "retired"
    TRAINING = "training"
    ERASED = "erased"  # a tombstone: DELETE or retention erased its content (tasks/erasure.py)


LIVE_TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.COMPLETED, TaskStatus.CANCELED,
                      TaskStatus.ERROR)
"""The statuses a requester sees (API.md); the others belong to gold and training tasks."""

LIVE_TASK_STATUS_NAMES: tuple[str, ...] = tuple(s.value for s in LIVE_TASK_STATUSES)
"""The same as plain strings, in order: the keys of every ``counts`` document."""


class ReviewStatus(StrEnum):
    """A completed task's review: waiting, or decided by a reviewer (``accepted``,
    ``fixed``) or by the customer's audit (``accepted``, ``fixed``, ``rejected``)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    FIXED = "fixed"
    REJECTED = "rejected"


class WorkerStatus(StrEnum):
    """A worker's standing in one project."""

    ACTIVE = "active"
    PAUSED = "paused"


class AssignmentStatus(StrEnum):
    ACTIVE = "active"
    SUBMITTED = "submitted"
    SKIPPED = "skipped"
    EXPIRED = "expired"


class BatchStatus(StrEnum):
    STAGING = "staging"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELED = "canceled"


# table, column, the enum its values come from, whether NULL is allowed
CHECKED_COLUMNS: tuple[tuple[str, str, type[StrEnum], bool], ...] = (
    ("tasks", "status", TaskStatus, False),
    ("tasks", "review_status", ReviewStatus, True),
    ("project_workers", "status", WorkerStatus, False),
    ("assignments", "status", AssignmentStatus, False),
    ("batches", "status", BatchStatus, False),
)


def check_sql(column: str, values: type[StrEnum], nullable: bool) -> str:
    """The SQL condition a column's value must meet."""
    listed = ", ".join(f"'{v.value}'" for v in values)
    condition = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {condition}" if nullable else condition
