"""Request and response bodies of ``POST /v1/projects/{id}/generate``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Variation = Literal["constrain", "deepen", "concretize", "reason", "broaden"]


class GenerateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="the model endpoint (mdl_…) that writes the prompts")
    seeds: list[str] = Field(min_length=1, max_length=1000,
                             description="example prompts to grow new ones from")
    count: int = Field(10, ge=1, le=200, description="how many new tasks to add (at most)")
    variations: list[Variation] = Field(
        default_factory=list, max_length=5,
        description="variation steps; with any, every other request rewrites a pool prompt")
    examples_per_request: int = Field(4, ge=1, le=20)
    per_request: int = Field(5, ge=1, le=20, description="new prompts asked per request")
    threshold: float = Field(0.7, gt=0, le=1,
                             description="ROUGE-L at or above which a prompt is a duplicate")
    replies: bool = Field(False, description="also ask the model to answer each new prompt")
    max_requests: int | None = Field(None, ge=1, le=200,
                                     description="default: 2 * count / per_request + 2")
    seed: int | None = Field(None, description="seed of the random draws (reproducible plan)")

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, seeds: list[str]) -> list[str]:
        for i, seed in enumerate(seeds):
            if not seed.strip() or len(seed) > 10_000:
                raise ValueError(f"seeds[{i}] must hold 1 to 10,000 characters, not only "
                                 "whitespace")
        return seeds


class LeftOut(BaseModel):
    prompt: str
    reason: Literal["too_short", "too_long", "needs_media", "duplicate"]
    similar: str | None


class GenerateDoc(BaseModel):
    project: str
    created: int
    requests: int
    model_calls: int
    left_out: list[LeftOut] = Field(description="the first 100 prompts left out, and why")
    left_out_counts: dict[str, int]


class FiguresDoc(BaseModel):
    project: str
    generated: int = Field(description="tasks that generate added and that still exist")
    checks: int = Field(description="counted answers to them that judge the model's text")
    accepted: int
    edited: int
    rejected: int
    accept_rate: float | None = Field(description="accepted / checks")
    mean_edit_similarity: float | None = Field(
        description="1 - edit distance / longer length between the model's reply and the "
        "edit, averaged over the edits (1: unchanged)")
