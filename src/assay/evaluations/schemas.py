"""Request bodies of evaluations (API.md part two, "Evaluations and leaderboards")."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assay.algorithms.scorers import SCORERS
from assay.projects.schemas import PayIn

MAX_PROMPTS = 10_000
MAX_MODELS = 50
Name = Field(min_length=1, max_length=200)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageIn(Strict):
    role: Literal["system", "user", "assistant"]
    content: str = Field(max_length=200_000)


class PromptIn(Strict):
    id: str | None = Field(default=None, min_length=1, max_length=200)
    prompt: str | None = Field(default=None, min_length=1, max_length=200_000)
    messages: list[MessageIn] | None = Field(default=None, min_length=1, max_length=200)
    reference: str | None = Field(default=None, max_length=200_000)
    category: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_of(self) -> PromptIn:
        if (self.prompt is None) == (self.messages is None):
            raise ValueError("give exactly one of prompt and messages")
        if self.messages is not None and self.messages[-1].role != "user":
            raise ValueError("messages must end with a user message")
        return self


class ResponseIn(Strict):
    prompt_id: str = Field(min_length=1, max_length=200)
    model: str = Name
    content: str = Field(max_length=200_000)


class CriterionIn(Strict):
    id: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    weight: float = Field(default=1, gt=0, le=1000)


class RatingIn(Strict):
    """The rubric people rate each reply with: an integer scale, overall or per criterion
    (the ``rate`` kind's params), and the rating tasks' instructions."""

    min: int = Field(default=1, ge=-1000, le=1000)
    max: int = Field(default=5, ge=-1000, le=1000)
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=20)
    instructions: str | None = Field(default=None, max_length=200_000)

    @model_validator(mode="after")
    def _scale(self) -> RatingIn:
        if self.max <= self.min:
            raise ValueError("max must be greater than min")
        return self


class HumanIn(Strict):
    mode: Literal["battles", "rating", "both"] = "battles"
    rating: RatingIn | None = None
    battles_per_prompt: int = Field(default=1, ge=1, le=100)
    overlap: int = Field(default=1, ge=1, le=20)
    workforce: Literal["private", "crowd"] = "private"
    instructions: str | None = Field(default=None, max_length=200_000)
    criteria: list[str] = Field(default_factory=list, max_length=20)
    pay: PayIn | None = None


class JudgeIn(Strict):
    judge: str = Field(min_length=1, max_length=40)
    rubric: str | None = Field(default=None, max_length=20_000)


class AutoIn(Strict):
    scorers: list[Literal["exact_match", "f1", "contains", "regex", "numeric"] | JudgeIn] = (
        Field(default_factory=list, max_length=len(SCORERS) + 1))
    battles_per_prompt: int = Field(default=1, ge=1, le=100)

    @model_validator(mode="after")
    def _one_judge(self) -> AutoIn:
        if sum(isinstance(s, JudgeIn) for s in self.scorers) > 1:
            raise ValueError("at most one judge")
        return self


class EvaluationCreate(Strict):
    name: str = Name
    prompts: list[PromptIn] = Field(min_length=1, max_length=MAX_PROMPTS)
    models: list[str] = Field(default_factory=list, max_length=MAX_MODELS)
    responses: list[ResponseIn] = Field(default_factory=list, max_length=MAX_PROMPTS * 20)
    human: HumanIn | None = Field(default_factory=HumanIn)
    auto: AutoIn | None = None


class EvaluationDoc(BaseModel):
    """An evaluation as the API answers it."""

    id: str
    name: str
    status: Literal["generating", "judging", "collecting", "done", "failed"]
    project: str | None
    rating_project: str | None
    models: list[str]
    prompts: int
    progress: dict[str, Any]
    cost: dict[str, Any]
    left_out: dict[str, Any]
    failure: dict[str, Any] | None
    created_at: str


class EvaluationPage(BaseModel):
    docs: list[EvaluationDoc]
    next_token: str | None


class LeaderboardDoc(BaseModel):
    """A leaderboard as the API answers it (see docs/evaluations.md)."""

    method: str
    source: Literal["human", "judge", "all"]
    category: str | None
    bootstrap: int
    judgments: int
    tie_strength: float | None
    converged: bool
    models: list[dict[str, Any]]
    win_rates: dict[str, Any]
    categories: list[str]
    agreement: dict[str, Any] | None
    judge_biases: dict[str, Any] | None
    style_control: dict[str, Any] | None
    ratings: dict[str, Any] | None
