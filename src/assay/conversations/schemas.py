"""Request and response bodies of ``POST /v1/work/{assignment_id}/generate``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class GenerateIn(BaseModel):
    """For the first turn only ``prompt`` (when the task's messages need a user turn); for
    each later turn the ranking (and ``scores``, ``ideal``) of the previous turn's
    candidates, and the next user turn. An empty body shows the latest turn again."""

    model_config = ConfigDict(extra="forbid")

    prompt: str | None = Field(default=None, max_length=100_000)
    ranking: list[list[str]] | None = None
    scores: dict[str, dict[str, Any]] | None = None
    ideal: str | None = Field(default=None, max_length=100_000)


class CandidateDoc(BaseModel):
    id: str
    content: str


class TurnDoc(BaseModel):
    """A turn's candidates as a worker sees them: no model names, shuffled per assignment.
    With ``Accept: text/event-stream``: ``data: {"candidate", "delta"}`` events as the
    replies are written, then ``event: done`` with this object (or ``event: error`` with
    an error body)."""

    turn: int
    candidates: list[CandidateDoc]


class ReviewCandidateDoc(BaseModel):
    turn: int
    content: str
    messages: list[dict[str, Any]] = Field(description="the conversation it replied to")


class ReviewCandidatesDoc(BaseModel):
    """The candidate replies of a task under review, by id (no model names)."""

    task_id: str
    candidates: dict[str, ReviewCandidateDoc]
