"""Response documents for the OpenAPI description.

Routes build their answers as plain dicts (cheap on the hot path); these models describe
those answers in ``/openapi.json`` without being run on every response. The tests compare
real answers against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assay.kinds import KindName


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Counts(Doc):
    pending: int
    completed: int
    canceled: int
    error: int


class MatchDoc(Doc):
    min_f1: float | None = None
    min_iou: float | None = None
    min_similarity: float | None = None
    min_jaccard: float | None = None
    rating_tolerance: int | None = None
    tau: float | None = None


class QualityDoc(Doc):
    overlap: int
    max_overlap: int
    target_confidence: float
    gold_rate: float
    min_worker_accuracy: float
    review_rate: float
    second_review_rate: float = Field(
        default=0.0, description="share of decided reviews drawn for a second-level check")
    resettle: bool = Field(
        default=True, description="after each refit, settle finished categorical tasks "
        "again: reopen adaptive ones now below the target, replace results whose best "
        "label changed")
    match: MatchDoc | None = Field(
        default=None, description="bars for partial credit against gold; only when set")
    disclose_every: int | None = Field(
        default=None, description="gold checks enter a worker's own figures (and meet the "
        "accuracy bar) at every this-many-th answer of theirs, all at once, so that no "
        "figure singles out a gold item; 10 when not set (only shown when set), at least 5")


class PayDoc(Doc):
    per_task: str
    training_per_task: str = Field(default="0", description="pay for a training answer")
    currency: str


class CurationDoc(Doc):
    embedding_model: Literal["default", "minilm", "hashing"] = Field(
        description="embeds the task texts for search and duplicates by embedding: the "
        "offline MiniLM (the [embeddings] extra), the built-in hashing vectorizer, or "
        "default (MiniLM when installed, else hashing)")
    text_field: str = Field(description="the data field curation reads (else every string)")
    suggestions: bool = Field(description="workers see uploaded predictions as a "
                                          "suggestion (never on gold)")
    suggestions_holdout: float = Field(
        default=0.0, description="the share of tasks with a prediction whose workers are "
        "not shown it (chosen by a hash of the task id): the control group of the quality "
        "report's anchoring figures")
    order: Literal["priority", "uncertainty", "diversity"] = Field(
        description="how pending tasks are offered")


class ProjectDoc(Doc):
    id: str
    name: str
    kind: KindName
    instructions: str
    params: dict[str, Any]
    quality: QualityDoc
    pay: PayDoc
    workforce: Literal["private", "crowd"]
    lease_seconds: int
    limits: dict[str, Any]
    callback_url: str | None
    sensitivity: Literal["standard", "confidential", "restricted"] = Field(
        default="standard", description="which workers may be offered its tasks: those "
        "cleared for its level (restricted covers confidential); restricted takes no crowd")
    retention_days: int | None = Field(
        default=None, description="completed tasks are erased this many days after "
        "completion; null keeps them")
    curation: CurationDoc | None = None
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


SERVER_ERRORS: dict[int | str, dict[str, Any]] = {"5XX": {
    "model": ErrorDoc,
    "description": "500 internal_error (with the request id); 503 key_unavailable: the "
                   "organization's data key cannot be unwrapped now (a customer-held key file "
                   "missing, or another master key; Retry-After) or unavailable"}}
"""The server-side errors every route may answer (``410 erased`` is among the 4XX)."""


def doc(model: type[BaseModel], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: its success document and the error documents."""
    return {status: {"model": model}, "4XX": {"model": ErrorDoc}, **SERVER_ERRORS}


class ReferenceDoc(Doc):
    id: str
    project: str
    data: Any
    answer: dict[str, Any]
    created_at: str
    explanation: str | None = None
    retired: bool | None = Field(default=None, description="gold only: no longer served")


class ReferencePage(Doc):
    docs: list[ReferenceDoc]
    next_token: str | None


class WorkerDoc(Doc):
    worker_id: str
    answers: int
    gold_answers: int
    gold_accuracy: float | None
    review_answers: int = Field(description="answers a reviewer checked")
    review_accuracy: float | None
    estimated_accuracy: float | None = Field(
        description="posterior mean accuracy from gold and review checks together")
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
    suggestions: dict[str, Any] | None = Field(
        default=None, description="anchoring on suggestions: for the answers given with the "
        "suggestion shown and those of the held-out control group (curation."
        "suggestions_holdout), answers, agreement with the suggestion and accuracy against "
        "the reviewed result (else the majority of the task's other answers), with 95% "
        "Wilson intervals, and the differences shown - held out (Newcombe intervals); null "
        "when no answer had a suggestion")
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
    level: Literal[1, 2]


class ReviewAnswerDoc(Doc):
    answer_id: str
    answer: dict[str, Any]
    flags: list[Literal["too_fast", "collusion"]]
    verdict: Literal["accepted", "rejected"] | None = Field(
        default=None, description="level 2 only: the first reviewer's verdict on the answer")


class FirstReviewDoc(Doc):
    review_id: str
    verdict: Literal["accepted", "fixed"]
    answer: dict[str, Any] | None
    comment: str | None


class ReviewItemDoc(Doc):
    task_id: str
    project: str
    level: Literal[1, 2]
    kind: str
    instructions: str
    params: dict[str, Any]
    data: Any
    result: ResultDoc | None
    expires_at: str = Field(description="the review lease: nobody else gets this item until")
    answers: list[ReviewAnswerDoc]
    review: FirstReviewDoc | None = Field(
        default=None, description="level 2 only: the review being checked")


class ReviewResultDoc(Doc):
    task_id: str
    review_status: Literal["accepted", "fixed"]
    result: ResultDoc | None
    review_id: str
    level: Literal[1, 2]
    checked: Literal["upheld", "overturned"] | None = Field(
        default=None, description="level 2 only: the outcome for the first review")


class FeedbackDoc(Doc):
    type: Literal["answer", "review"] = Field(
        description="a verdict on one of your answers, or a second-level check of one of "
                    "your reviews")
    project: str
    verdict: Literal["accepted", "rejected", "upheld", "overturned"]
    comment: str | None
    answered_at: str
    answer_id: str | None = None
    answer: dict[str, Any] | None = None
    review_id: str | None = None
    task_id: str | None = None


class FeedbackPage(Doc):
    docs: list[FeedbackDoc]
    next_token: str | None


class PayoutLineDoc(Doc):
    worker_id: str
    currency: str
    amount: str
    entries: int


class PayoutDoc(Doc):
    id: str
    until: str
    created_at: str
    lines: list[PayoutLineDoc]
    totals: dict[str, str] = Field(description="amount paid per currency")


class PayoutPage(Doc):
    docs: list[PayoutDoc]
    next_token: str | None


class CostLineDoc(Doc):
    currency: str
    earnings: str
    bonuses: str
    reversals: str
    total: str
    paid: str
    unpaid: str
    answers_paid: int


class CostDoc(Doc):
    project: str
    docs: list[CostLineDoc]


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


class StandingAccuracyDoc(Doc):
    bar: float
    estimate: float | None
    low: float | None
    high: float | None
    gold_answers: int
    gold_correct: int
    review_answers: int
    review_correct: int
    counted_answers: int = Field(description="checks the bar applies to (since a granted appeal)")
    counted_correct: int


class StandingReviewerDoc(Doc):
    active: bool
    reviews_checked: int
    reviews_upheld: int


class GoldEvidenceDoc(Doc):
    gold_id: str
    data: Any
    expected: dict[str, Any]
    answer: dict[str, Any]
    correct: bool
    answered_at: str


class GoldEvidenceListDoc(Doc):
    retired: list[GoldEvidenceDoc]
    hidden: int = Field(description="answers to gold tasks still in use, not shown")


class ReviewEvidenceDoc(Doc):
    answer_id: str
    answer: dict[str, Any]
    verdict: Literal["accepted", "rejected"]
    comment: str | None
    answered_at: str


class EvidenceDoc(Doc):
    gold: GoldEvidenceListDoc
    reviews: list[ReviewEvidenceDoc]


class WorkerFlagDoc(Doc):
    kind: Literal["too_fast", "collusion"]
    created_at: str
    detail: dict[str, Any]


class StandingEventDoc(Doc):
    kind: str
    reason: str | None
    note: str | None
    at: str


class StandingDoc(Doc):
    worker_id: str
    project: str
    status: Literal["active", "paused"]
    pause_reason: str | None
    paused_at: str | None
    answers: int
    accuracy: StandingAccuracyDoc
    reviewer: StandingReviewerDoc
    evidence: EvidenceDoc
    flags: list[WorkerFlagDoc]
    earned: str
    balance: str
    currency: str
    history: list[StandingEventDoc]
    appeal: AppealDoc | None
    can_appeal: bool
