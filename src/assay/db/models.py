"""All ORM models, together (features import them from here, never from each other).

Ids are strings with a type prefix (see :mod:`assay.ids`); they sort by creation time.
Relationships are not declared: every load is an explicit query in a repository.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assay.db.sealing import Sealed
from assay.db.types import JSONType, UTCDateTime


class Base(DeclarativeBase):
    pass


ID = String(40)


class Organization(Base):
    __tablename__ = "organizations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    webhook_secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The secret a rotation replaced: callbacks are signed with it too until the time below
    # (accounts/service.rotate_webhook_secret).
    previous_webhook_secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    previous_webhook_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime(),
                                                                           nullable=True)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # "admin" | "member" | "viewer", like a member's (accounts/service.ROLES)
    role: Mapped[str] = mapped_column(String(20), default="admin", server_default="admin")


class User(Base):
    """A requester who signs in to the dashboard."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Worker(Base):
    """A labeler: in the shared crowd (``org_id`` null) or an organization's private team."""

    __tablename__ = "workers"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True, index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The sensitivity levels beyond "standard" an admin of the worker's organization cleared
    # them for ("confidential", "restricted"; work/clearances.py).
    clearances: Mapped[list[str]] = mapped_column(JSONType, default=list,
                                                  server_default=text("'[]'"))
    # When ``assay worker erase`` removed their personal data (work/personal_data.py).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    instructions: Mapped[str] = mapped_column(Sealed("projects", "instructions", "text"))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType)
    quality: Mapped[dict[str, Any]] = mapped_column(JSONType)
    pay: Mapped[dict[str, Any]] = mapped_column(JSONType)
    workforce: Mapped[str] = mapped_column(String(20))
    lease_seconds: Mapped[int] = mapped_column(Integer)
    limits: Mapped[dict[str, Any]] = mapped_column(JSONType)
    callback_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The newest answer the last background refit saw (answer ids sort by time).
    refit_marker: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # What the last refit learned about the crowd, for adaptive overlap's confusion
    # posterior: {"labels": [K], "class_counts": [K], "confusion_counts": [[K x K]],
    # "tasks": n} (expected tasks of each class, every worker's leave-one-out counts
    # together), in the order of "labels" (the project's labels may change after it).
    crowd_model: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # "standard" | "confidential" | "restricted": which workers may be offered its tasks.
    sensitivity: Mapped[str] = mapped_column(String(20), default="standard",
                                             server_default="standard")
    # Completed tasks are erased this many days after completion (None: kept).
    retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A deleted project's tombstone (tasks/erasure.py): its content is gone, the row stays
    # so that the ledger's rows keep pointing at it.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Curation settings (curation/): embedding model, text field, pre-label suggestions,
    # task order. None: every default.
    curation: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)


class Batch(Base):
    __tablename__ = "batches"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    callback_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Task(Base):
    """A unit of work. ``overlap`` is how many answers it currently wants (the project's
    overlap, copied so that one task can ask for more); ``slots_taken`` counts live
    assignments plus counted responses. The work queue only leases a task while
    ``slots_taken < overlap``, checked under a row lock.
    ``held`` is true while the task's batch is staging or paused."""

    __tablename__ = "tasks"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[Any] = mapped_column(Sealed("tasks", "data"))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType)
    unique_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(Sealed("tasks", "result"),
                                                          nullable=True)
    callback_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    callback_succeeded: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    review_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    overlap: Mapped[int] = mapped_column(Integer, default=1)
    slots_taken: Mapped[int] = mapped_column(Integer, default=0)
    n_responses: Mapped[int] = mapped_column(Integer, default=0)
    # "live" tasks are the customer's work; "gold" and "training" tasks carry a known
    # answer, have that word as their status (so the live queue never scans them), are
    # hidden from task lists, counts and exports, and never complete.
    purpose: Mapped[str] = mapped_column(String(10), default="live", server_default="live")
    expected_answer: Mapped[dict[str, Any] | None] = mapped_column(
        Sealed("tasks", "expected_answer"), nullable=True)
    explanation: Mapped[str | None] = mapped_column(Sealed("tasks", "explanation", "text"),
                                                    nullable=True)
    # The review lease: the reviewer holding this task in the review queue, and until when.
    review_holder: Mapped[str | None] = mapped_column(ID, nullable=True)
    review_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # An erased task's tombstone (tasks/erasure.py): status and purpose "erased", content
    # gone, the row kept so that ids are never reused and answers and the ledger stay valid.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        UniqueConstraint("project_id", "unique_id", name="uq_tasks_project_unique_id"),
        Index("ix_tasks_queue", "project_id", "status", "held", text("priority DESC"), "id"),
        Index("ix_tasks_org_id", "org_id", "id"),
        Index("ix_tasks_project_id", "project_id", "id"),
        Index("ix_tasks_batch_id", "batch_id", "status"),
        Index("ix_tasks_org_updated", "org_id", "updated_at"),
    )


class OrgKey(Base):
    """An organization's data key, wrapped (AES-256-GCM, the organization as associated
    data) by the master key (``wrapped_by`` "master") or by a customer-held key read from
    ``key_path`` ("customer"); ``kek_id`` names the wrapping key by its fingerprint. A
    shredded key has no ``wrapped`` bytes left: the organization's content is erased."""

    __tablename__ = "org_keys"
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    wrapped_by: Mapped[str] = mapped_column(String(10))
    kek_id: Mapped[str] = mapped_column(String(16))
    key_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    shredded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Assignment(Base):
    """A lease of one task to one worker. One per (task, worker), ever: a worker is never
    handed the same task twice, after a submit, a skip or an expiry."""

    __tablename__ = "assignments"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    skip_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    skip_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The pre-label of an uploaded prediction, {"label", "probability", "shown"}: shown to
    # the worker, or held back for the control group (curation.suggestions_holdout).
    suggestion: Mapped[dict[str, Any] | None] = mapped_column(
        Sealed("assignments", "suggestion"), nullable=True)

    __table_args__ = (
        UniqueConstraint("task_id", "worker_id", name="uq_assignments_task_worker"),
        Index("ix_assignments_worker", "worker_id", "project_id", "status"),
        Index("ix_assignments_live", "status", "expires_at"),
    )


class Response(Base):
    """A submitted answer. ``counts`` turns false when the answer stops counting."""

    __tablename__ = "responses"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"), unique=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), index=True)
    answer: Mapped[dict[str, Any]] = mapped_column(Sealed("responses", "answer"))
    duration_ms: Mapped[int] = mapped_column(Integer)
    counts: Mapped[bool] = mapped_column(Boolean, default=True)
    # For gold and training answers: whether the answer matched the expected one.
    correct: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # A reviewer's verdict on this answer ("accepted" | "rejected") and the comment the
    # worker sees.
    review_verdict: Mapped[str | None] = mapped_column(String(10), nullable=True)
    review_comment: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_responses_project_newest", "project_id", "id"),
                      Index("ix_responses_worker_project", "worker_id", "project_id", "id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Job(Base):
    """A unit of background work (callback delivery, …) claimed straight from the database."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_jobs_due", "status", "run_at"),)


class CallbackDelivery(Base):
    """One delivery of a task's callback (a completion's, a changed result's, or a
    redelivery's) with its attempts and outcome: the delivery log. ``host`` is the callback
    URL's host (and port) only, never its path, query or credentials."""

    __tablename__ = "callback_deliveries"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    task_id: Mapped[str] = mapped_column(ID)
    job_id: Mapped[str] = mapped_column(ID)
    host: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("job_id", name="uq_callback_deliveries_job_id"),
                      Index("ix_callback_deliveries_org_task", "org_id", "task_id"))


class ProjectWorker(Base):
    """A worker's standing in one project: what they answered, how they did on gold and
    training, and whether they may work on."""

    __tablename__ = "project_workers"
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    answers: Mapped[int] = mapped_column(Integer, default=0)
    gold_answers: Mapped[int] = mapped_column(Integer, default=0)
    gold_correct: Mapped[int] = mapped_column(Integer, default=0)
    training_answers: Mapped[int] = mapped_column(Integer, default=0)
    training_correct: Mapped[int] = mapped_column(Integer, default=0)
    qualified: Mapped[bool] = mapped_column(Boolean, default=False)
    # The accuracy the last background refit (Dawid-Skene) estimated, and from how many
    # answers.
    model_accuracy: Mapped[float | None] = mapped_column(Float, nullable=True)
    model_answers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # And their leave-one-out confusion counts behind it, {"labels": [K], "counts":
    # [[K x K]]} (counts[k][l]: expected answers l when the truth was k).
    model_confusion: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # Answers checked by a reviewer (accepted/matching the fix vs rejected/overruled).
    review_answers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    review_correct: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The gold checks the worker may see in their own figures: disclosed in batches, at
    # every ``quality.disclose_every``-th answer (quality/disclosure.py), so that no figure
    # changes right after a gold answer. ``shown_through`` is the id of the worker's answer
    # at the last disclosure.
    gold_shown_answers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    gold_shown_correct: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    shown_through: Mapped[str | None] = mapped_column(ID, nullable=True)
    # Checks (gold + review) on record when an appeal was last granted: the accuracy bar
    # applies to the checks after it, the record itself stays.
    base_answers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    base_correct: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # As a reviewer: first-level reviews a second-level reviewer checked, and upheld.
    reviews_checked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reviews_upheld: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(10), default="active")
    pause_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its digest is stored."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "worker" or "user"
    subject_id: Mapped[str] = mapped_column(ID)
    org_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The last request the session made (kept to the minute): past ASSAY_SESSION_IDLE_S of
    # silence the session ends. None on sessions older than the column: their created_at.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SigninFailure(Base):
    """One failed (or not yet verified) sign-in at ``/login``, counted per account (the
    SHA-256 of the email as typed) and per client address, for throttling across server
    processes (accounts/throttle.py). Rows older than the longest window are deleted."""

    __tablename__ = "signin_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(10))  # "account" or "address"
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    __table_args__ = (Index("ix_signin_failures_key", "scope", "key", "at"),)


class Audit(Base):
    """A customer's verdict on a completed task (``POST /v1/tasks/{id}/audit``)."""

    __tablename__ = "audits"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    accepted: Mapped[bool] = mapped_column(Boolean)
    answer: Mapped[dict[str, Any] | None] = mapped_column(Sealed("audits", "answer"),
                                                          nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str] = mapped_column(String(20))  # accepted | fixed | rejected
    actor: Mapped[str | None] = mapped_column(ID, nullable=True)  # key or user id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerEntry(Base):
    """One line of the append-only pay ledger, in exact decimals.

    ``earning``: one per paid answer (``response_id`` is unique among earnings);
    ``reversal``: cancels one earning (``reverses_id`` is unique); ``bonus``. An entry is
    paid when a payout claims it (``payout_id``), exactly once."""

    __tablename__ = "ledger_entries"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    kind: Mapped[str] = mapped_column(String(10))
    # Exact on every database: millionths of the currency unit, as an integer.
    amount_micros: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    response_id: Mapped[str | None] = mapped_column(ForeignKey("responses.id"), nullable=True,
                                                    unique=True)
    reverses_id: Mapped[str | None] = mapped_column(ForeignKey("ledger_entries.id"),
                                                    nullable=True, unique=True)
    payout_id: Mapped[str | None] = mapped_column(ForeignKey("payouts.id"), nullable=True)
    memo: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A bonus request's key: a retried request finds its entry instead of paying twice.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_ledger_worker", "worker_id", "project_id"),
        Index("ix_ledger_unpaid", "payout_id", "created_at"),
        UniqueConstraint("idempotency_key", name="uq_ledger_idempotency_key"),
    )


class Payout(Base):
    """A batch of payments: every unpaid ledger entry up to ``until``, once."""

    __tablename__ = "payouts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # None: an operator's payout over every organization; else one organization's.
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id"), nullable=True,
                                               index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    lines: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Flag(Base):
    """An integrity signal on a worker, computed by the server (never set by a client):
    ``too_fast`` (an answer under the project's floor), ``collusion`` (a pair of workers
    with near-identical answers, wrong gold answers included)."""

    __tablename__ = "flags"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType)
    response_id: Mapped[str | None] = mapped_column(ForeignKey("responses.id"), nullable=True)
    other_worker_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_flags_project", "project_id", "worker_id"),
        UniqueConstraint("project_id", "worker_id", "kind", "other_worker_id",
                         name="uq_flags_pair"),
    )


class Reviewer(Base):
    """A worker promoted to review one project's tasks."""

    __tablename__ = "reviewers"
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    # 1: reviews tasks; 2: also checks other reviewers' reviews (second level).
    level: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Review(Base):
    """A reviewer's decision on a task in the review queue (``level`` 1), or a second-level
    reviewer's check of such a decision (``level`` 2, ``checks_id`` the review checked)."""

    __tablename__ = "reviews"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    verdict: Mapped[str] = mapped_column(String(10))  # accepted | fixed
    answer: Mapped[dict[str, Any] | None] = mapped_column(Sealed("reviews", "answer"),
                                                          nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    level: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    checks_id: Mapped[str | None] = mapped_column(ForeignKey("reviews.id"), nullable=True)
    # On a level-1 review: None (not sampled), pending, upheld or overturned.
    second_status: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # The second-level lease: who holds this review for checking, and until when.
    held_by: Mapped[str | None] = mapped_column(ID, nullable=True)
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_reviews_second", "project_id", "second_status", "id"),)


class Appeal(Base):
    """A paused worker's one appeal in a project, and the operator's decision."""

    __tablename__ = "appeals"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    pause_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))  # pending | granted | denied
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("project_id", "worker_id", name="uq_appeals_once"),)


class WorkerEvent(Base):
    """The record of a worker's standing in a project: every pause (with its reason), appeal,
    decision and resumption, in order. Append-only."""

    __tablename__ = "worker_events"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    kind: Mapped[str] = mapped_column(String(20))  # paused | appealed | granted | denied
    reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_worker_events", "worker_id", "project_id", "id"),)


class AuditEntry(Base):
    """The organization's audit log (auditlog/): every change and every read of customer
    data, append-only, hash-chained per organization by ``seq`` (docs/security.md). Ids and
    action names only, never customer content. Not :class:`Audit`, a customer's verdict."""

    __tablename__ = "audit_log"
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_type: Mapped[str] = mapped_column(String(10))  # key | user | worker | operator
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    object: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_log_object", "org_id", "object", "seq"),)


class AuditHead(Base):
    """The last entry of an organization's audit chain: the row appends lock (one writer per
    organization at a time, so the chain never forks) and what shows a removed tail."""

    __tablename__ = "audit_heads"
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class ModelEndpoint(Base):
    """An organization's OpenAI-compatible model endpoint (models/). The API key is sealed
    under the organization's data key (db/sealing.py) and never returned; ``params`` holds
    the generation parameters sent with each call and Assay's own (timeout_s,
    max_concurrency, …); ``prices`` the price per million input and output tokens, or
    None."""

    __tablename__ = "models"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(2000))
    model: Mapped[str] = mapped_column(String(400))
    api_key: Mapped[str | None] = mapped_column(Sealed("models", "api_key", "text"),
                                                nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    prices: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_models_org_name"),)


class ModelCall(Base):
    """One call to a model endpoint: tokens (from the server's usage, or estimated),
    latency, outcome and cost. Kept when the model is deleted (no foreign key to it)."""

    __tablename__ = "model_calls"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    model_id: Mapped[str] = mapped_column(String(40))
    project_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(10))  # ok | error | timeout
    error_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    tokens_estimated: Mapped[bool] = mapped_column(Boolean)
    latency_ms: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    # Exact cost in millionths of a micro-unit (1e-12 of the currency): tokens times the
    # price per million tokens in micro-units. None when the model has no prices.
    cost_pico: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_model_calls_model", "org_id", "model_id", "project_id"),)


class CurationRun(Base):
    """A curation job over a project's tasks (``kind``: ``duplicates`` or ``embeddings``)
    with its progress: ``done`` of ``total`` tasks read; ``params`` what it was asked
    (threshold, model); status ``running`` | ``done`` | ``failed``."""

    __tablename__ = "curation_runs"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (Index("ix_curation_runs_project", "org_id", "project_id", "kind", "id"),)


class DuplicatePair(Base):
    """A pair of a project's tasks found near-duplicate by a run: ``task_a`` is the older.
    ``similarity`` is the exact Jaccard similarity of their word 5-gram shingle sets (or the
    cosine similarity of their embeddings, for a run by embedding)."""

    __tablename__ = "duplicate_pairs"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("curation_runs.id"))
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ID)
    task_a: Mapped[str] = mapped_column(ID)
    task_b: Mapped[str] = mapped_column(ID)
    similarity: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_duplicate_pairs_run", "run_id", "id"),
                      Index("ix_duplicate_pairs_task_a", "org_id", "task_a"),
                      Index("ix_duplicate_pairs_task_b", "org_id", "task_b"))


class Prediction(Base):
    """A model's class probabilities for a task, uploaded by the requester (sealed: it
    describes the customer's data). One per task; a new upload replaces it."""

    __tablename__ = "predictions"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ID)
    task_id: Mapped[str] = mapped_column(ID)
    probabilities: Mapped[dict[str, Any]] = mapped_column(
        Sealed("predictions", "probabilities"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("task_id", name="uq_predictions_task"),
                      Index("ix_predictions_project", "org_id", "project_id", "task_id"))


class Embedding(Base):
    """A task's embedding by one model: the vector (float32, base64, sealed: an embedding
    reveals its text) and the hash of the text it embeds, by which another task of the
    organization with the same text reuses it."""

    __tablename__ = "embeddings"
    task_id: Mapped[str] = mapped_column(ID, primary_key=True)
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ID)
    content_hash: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[str] = mapped_column(Sealed("embeddings", "vector", "text"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_embeddings_project", "org_id", "project_id", "model"),
                      Index("ix_embeddings_hash", "org_id", "model", "content_hash"))


class Suspect(Base):
    """A completed task sent back to review because its result is probably wrong:
    ``source`` (``worker_models`` | ``predictions``), why, the score, and the result's label
    when it was sent (sealed), so the review's outcome tells whether it was a real error."""

    __tablename__ = "suspects"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ID)
    task_id: Mapped[str] = mapped_column(ID)
    source: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    label_before: Mapped[Any] = mapped_column(Sealed("suspects", "label_before"),
                                              nullable=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_suspects_project", "org_id", "project_id", "task_id"),)


class Generation(Base):
    """One turn's candidate replies, generated once (or taken from the task data) and kept:
    ``scope`` is ``"task"`` for a turn every worker of the task shares, else the assignment
    whose own conversation it continues. The row is claimed (``pending``) before any model
    is called, so two requests for one turn call the models once; it is filled (``done``)
    only with every reply in, and deleted when a model fails. ``candidates`` is a list of
    ``{"id": "cnd_…", "model_id", "model": name, "content"}``; model names never reach a
    worker."""

    __tablename__ = "generations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"))
    scope: Mapped[str] = mapped_column(String(40))
    turn: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))  # pending | done
    prompt: Mapped[str | None] = mapped_column(Sealed("generations", "prompt", "text"),
                                               nullable=True)
    messages: Mapped[Any] = mapped_column(Sealed("generations", "messages"))
    candidates: Mapped[Any | None] = mapped_column(Sealed("generations", "candidates"),
                                                   nullable=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        UniqueConstraint("task_id", "scope", "turn", name="uq_generations_task_scope_turn"),
        Index("ix_generations_org_task", "org_id", "task_id"),
    )


class AssignmentTurn(Base):
    """A turn as one assignment saw it: which generation it was offered, and the worker's
    ranking (scores, ideal) once the conversation continued from it."""

    __tablename__ = "assignment_turns"
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"), primary_key=True)
    turn: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"))
    generation_id: Mapped[str] = mapped_column(ForeignKey("generations.id"))
    choice: Mapped[Any | None] = mapped_column(Sealed("assignment_turns", "choice"),
                                               nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_assignment_turns_task", "org_id", "task_id"),)


# Evaluations' tables live in their own module (this one would pass 800 lines); imported
# here so that every table is on Base.metadata whichever module is imported first.
from assay.db.evaluation_models import (  # noqa: E402
    Evaluation,
    EvaluationBattle,
    EvaluationReply,
)

__all__ = ["Evaluation", "EvaluationBattle", "EvaluationReply"]
