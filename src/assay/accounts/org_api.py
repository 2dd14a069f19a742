"""HTTP routes of the organization's administration (admin only): members and their roles,
API keys, the webhook secret; and a signed-in member's own password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from assay.accounts import keys, members
from assay.accounts.schemas import (
    KeyDoc,
    KeyIn,
    KeyPage,
    MemberDoc,
    MemberIn,
    MemberPage,
    MemberPatch,
    NewKeyDoc,
    PasswordChangeIn,
    RotatedSecretDoc,
)
from assay.accounts.secrets import token_digest
from assay.accounts.service import Requester, rotate_webhook_secret
from assay.auditlog import service as auditlog
from assay.clock import Clock, isoformat
from assay.db.engine import Database
from assay.http.auth import get_clock, get_db, require_admin, require_user
from assay.http.documents import doc
from assay.http.pagination import check_limit, decode_token, page
from assay.web.sessions import COOKIE

router = APIRouter(tags=["organization"])

Lister = Callable[[Session, Requester, str | None, int], tuple[list[dict[str, Any]], list[str]]]


def _page(db: Database, lister: Lister, who: Requester, limit: int,
          next_token: str | None) -> dict[str, Any]:
    check_limit(limit)
    after = decode_token(next_token)
    with db.read() as session:
        docs, ids = lister(session, who, after, limit)
    return page(docs, ids, limit)


@router.get("/v1/org/members", response_model=None, responses=doc(MemberPage),
            summary="List the organization's members (admin)")
def list_members(limit: int = Query(100), next_token: str | None = Query(None),
                 who: Requester = Depends(require_admin),
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    return _page(db, members.list_members, who, limit, next_token)


@router.post("/v1/org/members", status_code=201, response_model=None,
             responses=doc(MemberDoc, 201), summary="Add a member with a role (admin)")
def add_member(body: MemberIn, who: Requester = Depends(require_admin),
               db: Database = Depends(get_db)) -> dict[str, Any]:
    """An email already used by a member → ``409 duplicate_email``."""
    return db.write(lambda s: auditlog.noted(s, who, "member.create", members.add_member(
        s, who, body.email, body.role, body.password), None, key="user_id"))


@router.patch("/v1/org/members/{member_id}", response_model=None, responses=doc(MemberDoc),
              summary="Change a member's role or set their password (admin)")
def update_member(member_id: str, body: MemberPatch, who: Requester = Depends(require_admin),
                  db: Database = Depends(get_db)) -> dict[str, Any]:
    """Demoting the organization's last admin member → ``409 last_admin``. A password set
    here ends every browser session of the member."""
    return db.write(lambda s: auditlog.noted(s, who, "member.update", members.update_member(
        s, who, member_id, body.role, body.password), member_id))


@router.delete("/v1/org/members/{member_id}", response_model=None, responses=doc(MemberDoc),
               summary="Remove a member (admin)")
def remove_member(member_id: str, who: Requester = Depends(require_admin),
                  db: Database = Depends(get_db)) -> dict[str, Any]:
    """Answers the removed member. Their browser sessions end at once. Removing the last
    admin member → ``409 last_admin``."""
    return db.write(lambda s: auditlog.noted(s, who, "member.remove",
                                             members.remove_member(s, who, member_id), member_id))


@router.post("/v1/me/password", response_model=None, responses=doc(MemberDoc),
             summary="Change the signed-in member's own password")
def change_password(body: PasswordChangeIn, request: Request,
                    who: Requester = Depends(require_user),
                    db: Database = Depends(get_db)) -> dict[str, Any]:
    """For a member signed in to the web UI (any role; session cookie and
    ``X-CSRF-Token``). A wrong ``current_password`` → ``422`` naming it; an API key →
    ``403 user_required``. Each try counts against the sign-in page's limits for the
    member's account and the client's address (a right password takes it back): past them,
    ``429`` with ``Retry-After``. Every other browser session of the member ends; this one stays.
    """
    cookie = request.cookies.get(COOKIE) if "authorization" not in request.headers else None
    keep = token_digest(cookie) if cookie else None
    settings, now = request.app.state.settings, request.app.state.clock.now()
    address = request.client.host if request.client else ""
    attempt = db.write(lambda s: members.begin_password_attempt(
        s, who, address, now, settings.signin_account_limits, settings.signin_address_limits))
    return db.write(lambda s: auditlog.noted(s, who, "member.password", members.change_own_password(
        s, who, body.current_password, body.new_password, keep, attempt), None, key="user_id"))


@router.get("/v1/org/keys", response_model=None, responses=doc(KeyPage),
            summary="List the organization's API keys, revoked ones too (admin)")
def list_keys(limit: int = Query(100), next_token: str | None = Query(None),
              who: Requester = Depends(require_admin),
              db: Database = Depends(get_db)) -> dict[str, Any]:
    """Never shows a key itself: its id, name, role and first characters (``prefix``)."""
    return _page(db, keys.list_keys, who, limit, next_token)


@router.post("/v1/org/keys", status_code=201, response_model=None,
             responses=doc(NewKeyDoc, 201), summary="Create an API key with a role (admin)")
def create_key(body: KeyIn, who: Requester = Depends(require_admin),
               db: Database = Depends(get_db)) -> dict[str, Any]:
    """The answer's ``key`` is shown this once; only its digest is stored."""
    return db.write(lambda s: auditlog.noted(s, who, "key.create",
                                             keys.add_key(s, who, body.name, body.role)))


@router.delete("/v1/org/keys/{key_id}", response_model=None, responses=doc(KeyDoc),
               summary="Revoke an API key (admin)")
def revoke_key(key_id: str, who: Requester = Depends(require_admin),
               db: Database = Depends(get_db),
               clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    """The key's next request answers ``401``, on every server process. Revoking a revoked
    key changes nothing and answers it again."""
    now = clock.now()
    return db.write(lambda s: auditlog.noted(s, who, "key.revoke",
                                             keys.revoke_key(s, who, key_id, now), key_id))


@router.post("/v1/org/webhook_secret/rotate", response_model=None,
             responses=doc(RotatedSecretDoc),
             summary="Replace the webhook secret; the old one keeps signing for 24 h (admin)")
def rotate_secret(who: Requester = Depends(require_admin), db: Database = Depends(get_db),
                  clock: Clock = Depends(get_clock)) -> dict[str, Any]:
    """For 24 hours every callback carries two signatures in its ``Assay-Signature``
    header, ``t=<t>,v1=<HMAC with the new secret>,v1=<HMAC with the previous one>``, so a
    receiver can switch secrets without losing a callback; then only the new one. Rotating
    again within those 24 hours drops the older secret at once."""
    now = clock.now()
    secret, until = db.write(lambda s: auditlog.noted(
        s, who, "webhook_secret.rotate", rotate_webhook_secret(s, who.org_id, now), who.org_id))
    return {"webhook_secret": secret, "previous_valid_until": isoformat(until)}
