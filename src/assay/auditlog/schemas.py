"""The documents of ``GET /v1/audit`` for the OpenAPI description."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AuditActorDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["key", "user", "worker", "operator"]
    id: str | None = Field(description="the key's id as /v1/org/keys lists it, usr_…, wrk_…; "
                           "null for the operator")


class AuditEntryDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="aud_ and the entry's seq in 24 hex digits")
    seq: int = Field(description="the entry's place in its organization's chain, from 1")
    at: str = Field(description="RFC 3339 UTC with six fractional digits, as hashed")
    actor: AuditActorDoc
    action: str = Field(description="e.g. task.read, task.offer, project.update")
    object: str | None = Field(description="the id acted on")
    ip: str | None = Field(description="the client's address; null outside a request")
    prev_hash: str = Field(description="the previous entry's hash (64 zeros for seq 1)")
    hash: str = Field(description="SHA-256 hex over prev_hash and the canonical encoding")


class AuditPage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    docs: list[AuditEntryDoc]
    next_token: str | None
