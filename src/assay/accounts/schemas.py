"""Request bodies and response documents of the organization's administration routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["admin", "member", "viewer"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberIn(_Strict):
    email: str = Field(max_length=320)
    role: Role = Field(description="admin: also administers the organization; member: "
                       "changes and exports; viewer: reads only")
    password: str | None = Field(default=None, min_length=8, max_length=1000, description=(
        "for signing in at /login; without one the member cannot sign in until an admin "
        "sets it"))


class MemberPatch(_Strict):
    role: Role | None = None
    password: str | None = Field(default=None, min_length=8, max_length=1000, description=(
        "a new password set by an admin: every browser session of the member ends"))


class PasswordChangeIn(_Strict):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(min_length=8, max_length=1000)


class KeyIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    role: Role = "member"


class MemberDoc(_Strict):
    user_id: str
    email: str
    role: Role
    created_at: str


class MemberPage(_Strict):
    docs: list[MemberDoc]
    next_token: str | None


class KeyDoc(_Strict):
    id: str = Field(description="the key's id (``key_…``), also the audit log's actor id")
    name: str
    role: Role
    prefix: str = Field(description="the key's first 8 characters, to recognise it")
    created_at: str
    revoked_at: str | None


class NewKeyDoc(KeyDoc):
    key: str = Field(description="the key itself: shown in this answer only, never again")


class KeyPage(_Strict):
    docs: list[KeyDoc]
    next_token: str | None


class RotatedSecretDoc(_Strict):
    webhook_secret: str = Field(description="the new secret: callbacks are signed with it "
                                "from now on (shown in this answer only)")
    previous_valid_until: str = Field(description=(
        "until then each callback also carries a signature with the secret this one "
        "replaced: Assay-Signature: t=<t>,v1=<new>,v1=<previous>"))
