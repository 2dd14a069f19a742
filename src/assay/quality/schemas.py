"""Request bodies for gold and training tasks."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class GoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: Any
    answer: Any


class TrainingIn(GoldIn):
    explanation: str = Field(default="", max_length=20_000)
