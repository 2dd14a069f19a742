"""Request bodies for projects (unknown fields are refused)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assay.kinds import KindName
from assay.money import check_amount
from assay.projects.sensitivity import Sensitivity


def _retention_days() -> Any:
    """Retention in whole days (an integer, not ``"5"`` or ``5.0``); a century at most."""
    return Field(default=None, ge=1, le=36_500, strict=True)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchIn(Strict):
    """How close an answer must be to a gold, training or reviewed answer to count as right
    (``quality/matching.py``); each field left out keeps its default."""

    min_f1: float | None = Field(default=None, ge=0, le=1)
    min_iou: float | None = Field(default=None, gt=0, le=1)
    min_similarity: float | None = Field(default=None, ge=0, le=1)
    min_jaccard: float | None = Field(default=None, ge=0, le=1)
    rating_tolerance: int | None = Field(default=None, ge=0, le=1_000_000)
    tau: float | None = Field(default=None, ge=-1, le=1)


class QualityIn(Strict):
    overlap: int | None = Field(default=None, ge=1, le=100)
    max_overlap: int | None = Field(default=None, ge=1, le=100)
    target_confidence: float | None = Field(default=None, ge=0, le=1)
    gold_rate: float | None = Field(default=None, ge=0, le=1)
    min_worker_accuracy: float | None = Field(default=None, ge=0, le=1)
    review_rate: float | None = Field(default=None, ge=0, le=1)
    second_review_rate: float | None = Field(default=None, ge=0, le=1)
    resettle: bool | None = None
    match: MatchIn | None = None
    # quality/disclosure.py: below 5, a batch would come close to naming its gold item.
    disclose_every: int | None = Field(default=None, ge=5, le=1000)


class PayIn(Strict):
    per_task: str | None = None
    training_per_task: str | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")

    @field_validator("per_task", "training_per_task")
    @classmethod
    def _money(cls, value: str | None) -> str | None:
        return None if value is None else check_amount(value, positive=False)


class LimitsIn(Strict):
    answers_per_minute: int | None = Field(default=None, ge=1, le=100_000)
    min_seconds_per_task: float | None = Field(default=None, ge=0, le=3600)
    undo_seconds: float | None = Field(
        default=None, ge=0, le=30,
        description="how long the labeling page holds an answer back so the worker can undo "
        "it (never past the lease's end); null: 5 seconds, 0: no undo (docs/worker-page.md)")


CURATION_DEFAULTS: dict[str, Any] = {"embedding_model": "default", "text_field": "text",
                                     "suggestions": False, "suggestions_holdout": 0.0,
                                     "order": "priority"}
"""A project's curation settings when it sets none (docs/curation.md)."""


class CurationIn(Strict):
    """Curation settings (``curation/``); each field left out keeps its value."""

    embedding_model: Literal["default", "minilm", "hashing"] | None = None
    text_field: str | None = Field(default=None, min_length=1, max_length=200)
    suggestions: bool | None = None
    # The share of tasks with a prediction served without it: the control group of the
    # quality report's anchoring figures (docs/curation.md).
    suggestions_holdout: float | None = Field(default=None, ge=0, le=1)
    order: Literal["priority", "uncertainty", "diversity"] | None = None


class ProjectCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    kind: KindName
    instructions: str = Field(default="", max_length=200_000)
    params: dict[str, Any] | None = None
    quality: QualityIn | None = None
    pay: PayIn | None = None
    workforce: Literal["private", "crowd"] = "private"
    lease_seconds: int = Field(default=600, ge=1, le=7 * 86400)
    limits: LimitsIn | None = None
    callback_url: str | None = None
    sensitivity: Sensitivity = "standard"
    retention_days: int | None = _retention_days()
    curation: CurationIn | None = None


class ProjectPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    instructions: str | None = Field(default=None, max_length=200_000)
    params: dict[str, Any] | None = None
    quality: QualityIn | None = None
    pay: PayIn | None = None
    workforce: Literal["private", "crowd"] | None = None
    lease_seconds: int | None = Field(default=None, ge=1, le=7 * 86400)
    limits: LimitsIn | None = None
    callback_url: str | None = None
    sensitivity: Sensitivity | None = None
    retention_days: int | None = _retention_days()  # null clears it
    curation: CurationIn | None = None
