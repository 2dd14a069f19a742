"""Request bodies of curation (unknown fields are 422)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat

MAX_PREDICTIONS = 10_000
"""Predictions per call (more: send several calls)."""


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PredictionIn(_Body):
    task_id: str = Field(max_length=40)
    probabilities: dict[str, StrictFloat] = Field(
        description="class probabilities by label; labels left out count as 0; they must "
                    "sum to 1 (within 0.01) and are stored normalised")


class PredictionsIn(_Body):
    predictions: list[PredictionIn] = Field(min_length=1, max_length=MAX_PREDICTIONS)


class SuspectsReviewIn(_Body):
    task_ids: list[str] | None = Field(
        default=None, max_length=MAX_PREDICTIONS,
        description="the suspects to send; default every current suspect (of `source`, "
                    "from `min_score`)")
    source: Literal["worker_models", "predictions", "all"] = "all"
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)


class OrderIn(_Body):
    by: Literal["priority", "uncertainty", "diversity"]
