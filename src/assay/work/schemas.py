"""Request bodies of the work endpoints."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


HOLDING = ("the assignment whose answer the page is holding back for a few seconds (so the "
           "worker can undo it): it is not handed back, the next task is leased beside it, "
           "and its measured time stops now (docs/worker-page.md)")


class NextIn(Strict):
    project: str | None = None
    holding: str | None = Field(default=None, max_length=100, description=HOLDING)


class SubmitIn(Strict):
    answer: Any
    next: bool = Field(default=False, description="also lease the next task, in the same call")
    holding: str | None = Field(default=None, max_length=100, description=HOLDING)


class SkipIn(Strict):
    reason: Literal["broken", "unclear", "other"] | None = None
    comment: str | None = Field(default=None, max_length=10_000)
    next: bool = Field(default=False, description="also lease the next task, in the same call")
    holding: str | None = Field(default=None, max_length=100, description=HOLDING)


class Offer(BaseModel):
    """An assignment as the worker sees it (documents the response of ``next``)."""

    assignment_id: str
    project: str
    kind: str
    instructions: str
    params: dict[str, Any]
    data: Any
    expires_at: str
    suggestion: dict[str, Any] | None = Field(
        default=None, description="a pre-label: the label an uploaded model prediction "
        "favours, with its probability (`{\"label\", \"probability\"}`), when the project "
        "shows suggestions; never on gold or training tasks")


class SubmitOut(BaseModel):
    assignment_id: str
    status: Literal["submitted", "skipped"]
    feedback: dict[str, Any] | None = None
    next: Offer | None = None
