"""Response documents for the OpenAPI description.

Routes build their answers as plain dicts (cheap on the hot path); these models describe
those answers in ``/openapi.json`` without being run on every response. The tests compare
real answers against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Counts(Doc):
    pending: int
    completed: int
    canceled: int
    error: int


class QualityDoc(Doc):
    overlap: int
    max_overlap: int
    target_confidence: float
    gold_rate: float
    min_worker_accuracy: float
    review_rate: float


class PayDoc(Doc):
    per_task: str
    currency: str


class ProjectDoc(Doc):
    id: str
    name: str
    kind: Literal["categorize", "spans", "boxes", "compare", "rate", "text"]
    instructions: str
    params: dict[str, Any]
    quality: QualityDoc
    pay: PayDoc
    workforce: Literal["private", "crowd"]
    lease_seconds: int
    limits: dict[str, Any]
    callback_url: str | None
    created_at: str
    updated_at: str
    counts: Counts


class ProjectPage(Doc):
    docs: list[ProjectDoc]
    next_token: str | None


class ResultDoc(Doc):
    answer: Any
    confidence: float | None
    method: str
    n_responses: int


class ResponseDoc(Doc):
    worker_id: str
    answer: dict[str, Any]
    duration_ms: int
    created_at: str


class TaskDoc(Doc):
    id: str
    project: str
    batch: str | None
    status: Literal["pending", "completed", "canceled", "error"]
    data: Any
    metadata: dict[str, Any]
    unique_id: str | None
    priority: int
    result: ResultDoc | None
    created_at: str
    updated_at: str
    completed_at: str | None
    callback_url: str | None
    callback_succeeded: bool | None
    review_status: str | None
    responses: list[ResponseDoc] | None = None


class TaskPage(Doc):
    docs: list[TaskDoc]
    next_token: str | None


class Duplicate(Doc):
    index: int
    task_id: str


class RowError(Doc):
    index: int
    code: str
    message: str
    fields: list[dict[str, Any]] | None = None


class BulkResult(Doc):
    created: int
    duplicates: list[Duplicate]
    errors: list[RowError]


class BatchDoc(Doc):
    id: str
    project: str
    name: str
    status: Literal["staging", "in_progress", "paused", "completed", "canceled"]
    callback_url: str | None
    created_at: str
    updated_at: str
    counts: Counts


class WorkerStanding(Doc):
    worker_id: str
    status: Literal["active", "paused"]
    answers: int
    answers_today: int
    accuracy: float | None
    earned: str
    balance: str
    currency: str


class ErrorBody(Doc):
    code: str
    message: str
    details: dict[str, Any]


class ErrorDoc(Doc):
    error: ErrorBody


def doc(model: type[BaseModel], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: its success document and the error document."""
    return {status: {"model": model}, "4XX": {"model": ErrorDoc}}


class ReferenceDoc(Doc):
    id: str
    project: str
    data: Any
    answer: dict[str, Any]
    created_at: str
    explanation: str | None = None


class ReferencePage(Doc):
    docs: list[ReferenceDoc]
    next_token: str | None


class WorkerDoc(Doc):
    worker_id: str
    answers: int
    gold_answers: int
    gold_accuracy: float | None
    estimated_accuracy: float | None
    status: Literal["active", "paused"]
    pause_reason: Literal["low_accuracy", "spam", "fraud", "operator"] | None
    earned: str
    flags: int


class WorkerPage(Doc):
    docs: list[WorkerDoc]
    next_token: str | None


class QualityReportDoc(Doc):
    project: str
    kind: str
    n_tasks: int
    n_answers: int
    agreement: dict[str, float | None] | None
    model: dict[str, Any] | None
    workers: list[dict[str, Any]]
    classes: list[dict[str, Any]]
    calibration: list[dict[str, Any]]
    note: str | None = None


class FlagDoc(Doc):
    id: str
    project: str
    worker_id: str
    kind: Literal["too_fast", "collusion"]
    other_worker_id: str | None
    response_id: str | None
    detail: dict[str, Any]
    created_at: str


class FlagPage(Doc):
    docs: list[FlagDoc]
    next_token: str | None


class ReviewerDoc(Doc):
    project: str
    worker_id: str
    role: Literal["reviewer"]


class ReviewAnswerDoc(Doc):
    answer_id: str
    answer: dict[str, Any]


class ReviewItemDoc(Doc):
    task_id: str
    project: str
    kind: str
    instructions: str
    params: dict[str, Any]
    data: Any
    result: ResultDoc | None
    answers: list[ReviewAnswerDoc]


class ReviewResultDoc(Doc):
    task_id: str
    review_status: Literal["accepted", "fixed"]
    result: ResultDoc | None


class FeedbackDoc(Doc):
    answer_id: str
    project: str
    answer: dict[str, Any]
    verdict: Literal["accepted", "rejected"]
    comment: str | None
    answered_at: str


class FeedbackPage(Doc):
    docs: list[FeedbackDoc]
    next_token: str | None


class BonusDoc(Doc):
    id: str
    kind: Literal["bonus"]
    project: str
    worker_id: str
    amount: str
    currency: str
    memo: str | None
    created_at: str


class AppealDoc(Doc):
    id: str
    project: str
    worker_id: str
    pause_reason: str | None
    message: str
    status: Literal["pending", "granted", "denied"]
    decision_note: str | None
    created_at: str
    decided_at: str | None


class AppealPage(Doc):
    docs: list[AppealDoc]
    next_token: str | None
