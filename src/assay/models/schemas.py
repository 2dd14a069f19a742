"""Request bodies and response documents for model endpoints (unknown fields are 422)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assay.money import check_amount

# Assay's own params: how it calls the endpoint. Never sent to the server.
CALL_DEFAULTS: dict[str, Any] = {"timeout_s": 60.0, "max_concurrency": 8, "max_retries": 4,
                                 "backoff_s": 0.5, "stream_usage": True}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelParams(Strict):
    """Generation parameters sent with every call, and how Assay makes the call."""

    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    stop: str | list[str] | None = None
    seed: int | None = None
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    extra: dict[str, Any] | None = Field(
        default=None, description="more fields sent as they are in each request body "
        "(a server's own options, e.g. vLLM's top_k)")
    timeout_s: float | None = Field(
        default=None, gt=0, le=3600, description="deadline of a whole call, retries "
        "included (default 60); past it: 504 model_timeout")
    max_concurrency: int | None = Field(
        default=None, ge=1, le=1024, description="calls running at once against this "
        "endpoint, per server process (default 8); the rest wait, within the deadline")
    max_retries: int | None = Field(
        default=None, ge=0, le=20, description="retries of a 429, 5xx or connection "
        "failure (default 4), with exponential backoff and jitter, Retry-After honoured")
    backoff_s: float | None = Field(
        default=None, ge=0, le=60, description="first backoff cap in seconds (default 0.5)")
    stream_usage: bool | None = Field(
        default=None, description="ask a streamed reply for its token usage "
        "(stream_options.include_usage; default true)")

    @field_validator("stop")
    @classmethod
    def _stop(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > 4:
            raise ValueError("at most 4 stop sequences")
        return value


class Prices(Strict):
    """Price per million tokens, as decimal strings."""

    input: str = Field(description="price of a million prompt tokens")
    output: str = Field(description="price of a million completion tokens")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")

    @field_validator("input", "output")
    @classmethod
    def _money(cls, value: str) -> str:
        return check_amount(value, positive=False)


_NAME = Field(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")


class ModelCreate(Strict):
    name: str = _NAME
    base_url: str = Field(min_length=1, max_length=2000,
                          description="the server's OpenAI-compatible root, e.g. "
                          "http://gpu-box:8000/v1 (Assay calls {base_url}/chat/completions)")
    model: str = Field(min_length=1, max_length=400,
                       description="the model name the server expects")
    api_key: str | None = Field(default=None, min_length=1, max_length=4000,
                                description="stored encrypted; never returned")
    params: ModelParams | None = None
    prices: Prices | None = None


class ModelPatch(Strict):
    """Fields left out stay; ``api_key: null`` removes the key, ``prices: null`` the
    prices; ``params`` are merged field by field (a field set to null goes back to its
    default)."""

    name: str | None = Field(default=None, min_length=1, max_length=200,
                             pattern=r"^\S(.*\S)?$")
    base_url: str | None = Field(default=None, min_length=1, max_length=2000)
    model: str | None = Field(default=None, min_length=1, max_length=400)
    api_key: str | None = Field(default=None, min_length=1, max_length=4000)
    params: ModelParams | None = None
    prices: Prices | None = None


class Message(Strict):
    role: str = Field(pattern=r"^(system|user|assistant)$")
    content: str = Field(max_length=1_000_000)


class ModelTestIn(Strict):
    messages: list[Message] | None = Field(
        default=None, min_length=1, max_length=100,
        description="what to send (default: one user message, \"hello\")")


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelDoc(Doc):
    id: str
    name: str
    base_url: str
    model: str
    has_api_key: bool
    params: dict[str, Any] = Field(description="as set, with Assay's own call params "
                                   "(timeout_s, max_concurrency, …) filled in")
    prices: Prices | None
    created_at: str
    updated_at: str


class ModelPage(Doc):
    docs: list[ModelDoc]
    next_token: str | None


class ModelDeleted(Doc):
    id: str
    deleted: bool


class ModelTestDoc(Doc):
    model: str
    content: str
    latency_ms: int
    prompt_tokens: int
    completion_tokens: int
    tokens_estimated: bool
    attempts: int


class LatencyDoc(Doc):
    p50: int | None
    p99: int | None


class ModelUsageDoc(Doc):
    model: str
    project: str | None
    calls: int
    errors: int = Field(description="calls that ended in model_error")
    timeouts: int = Field(description="calls that ended in model_timeout")
    prompt_tokens: int
    completion_tokens: int
    estimated_calls: int = Field(description="calls whose tokens were estimated (the "
                                 "server reported no usage)")
    cost: str | None = Field(description="decimal string; null when the model has no "
                             "prices and no priced call was recorded")
    currency: str | None
    latency_ms: LatencyDoc
