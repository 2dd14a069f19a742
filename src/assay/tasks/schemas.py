"""Request bodies for tasks."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_BULK = 10_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskFields(Strict):
    data: Any
    metadata: dict[str, Any] = Field(default_factory=dict)
    unique_id: str | None = Field(default=None, min_length=1, max_length=300)
    callback_url: str | None = None
    priority: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    batch: str | None = None


class TaskCreate(TaskFields):
    project: str


class BulkCreate(Strict):
    project: str
    tasks: list[dict[str, Any]]
    partial: bool = False
    batch: str | None = None


class TaskPatch(Strict):
    priority: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)
    metadata: dict[str, Any] | None = None


class AuditIn(Strict):
    accepted: bool
    answer: dict[str, Any] | None = None
    comment: str | None = Field(default=None, max_length=10_000)
