"""Browser sessions of the web UI: a random token in an HttpOnly cookie, its SHA-256 digest
in ``web_sessions``, and a per-session CSRF token.

The CSRF token is checked on every state-changing request that a cookie authenticates:
forms send it in a hidden field, the page's JavaScript in the ``X-CSRF-Token`` header
(double submit: a cross-site page can send the cookie but cannot read the token).
Before sign-in, the login form carries a token that must match a short-lived cookie.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from assay.accounts.secrets import token_digest
from assay.accounts.service import Requester, WorkerPrincipal
from assay.db.models import User, WebSession, Worker

COOKIE = "assay_session"
LOGIN_CSRF_COOKIE = "assay_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
LIFETIME = timedelta(days=14)

Principal = Requester | WorkerPrincipal


@dataclass(frozen=True)
class SignedIn:
    """A live session: who it belongs to and the CSRF token its pages carry."""

    principal: Principal
    csrf_token: str

    @property
    def is_worker(self) -> bool:
        return isinstance(self.principal, WorkerPrincipal)

    @property
    def subject_id(self) -> str:
        p = self.principal
        if isinstance(p, WorkerPrincipal):
            return p.worker_id
        return p.user_id or ""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def start_session(session: Session, principal: Principal, now: datetime) -> tuple[str, SignedIn]:
    """Store a new session and return ``(cookie token, session)``. The token is shown only
    here; the table keeps its digest. Expired sessions are swept on the way."""
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    token = new_token()
    if isinstance(principal, WorkerPrincipal):
        kind, subject = "worker", principal.worker_id
    else:
        kind, subject = "user", principal.user_id or ""
    csrf = new_token()
    session.add(WebSession(id=token_digest(token), kind=kind, subject_id=subject,
                           org_id=principal.org_id, csrf_token=csrf, created_at=now,
                           expires_at=now + LIFETIME))
    session.flush()
    return token, SignedIn(principal, csrf)


def find_session(session: Session, token: str, now: datetime) -> SignedIn | None:
    """The live session of a cookie token, or None (unknown, expired, or its account gone)."""
    row = session.get(WebSession, token_digest(token))
    if row is None or row.expires_at <= now:
        return None
    principal: Principal
    if row.kind == "worker":
        worker = session.get(Worker, row.subject_id)
        if worker is None:
            return None
        principal = WorkerPrincipal(worker.id, worker.org_id)
    else:
        user = session.get(User, row.subject_id)
        if user is None:
            return None
        principal = Requester(org_id=user.org_id, user_id=user.id, role=user.role)
    return SignedIn(principal, row.csrf_token)


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == token_digest(token)))
