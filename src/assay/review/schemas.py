"""Request bodies of the review queue."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewerIn(Strict):
    worker_id: str
    level: Literal[1, 2] = 1


class ReviewNextIn(Strict):
    project: str
    level: Literal[1, 2] = 1
    skip: list[str] = Field(
        default_factory=list, max_length=1000,
        description="task ids this reviewer passes over: none of them is handed out by this "
                    "call, and one this reviewer holds is released for the others")


class ReviewIn(Strict):
    verdict: Literal["accept", "fix"]
    answer: Any = None
    comment: str | None = Field(default=None, max_length=10_000)
    rejected_answers: list[str] = Field(default_factory=list, max_length=100)
    level: Literal[1, 2] = 1
