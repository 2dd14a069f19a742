"""Browser sessions of the web UI: a random token in an HttpOnly cookie, its SHA-256 digest
in ``web_sessions``, and a per-session CSRF token.

The CSRF token is checked on every state-changing request that a cookie authenticates:
forms send it in a hidden field, the page's JavaScript in the ``X-CSRF-Token`` header
(double submit: a cross-site page can send the cookie but cannot read the token).
Before sign-in, the login form carries a token that must match a short-lived cookie.

A session ends 14 days after sign-in, or sooner after ``ASSAY_SESSION_IDLE_S`` without a
request: ``last_seen_at`` keeps the time of its last request, written at most once per
:func:`touch_every` so that reading pages does not turn into a write per request.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from assay.accounts import repository as accounts_repo
from assay.accounts.secrets import token_digest
from assay.accounts.service import Requester, WorkerPrincipal, find_user, find_worker
from assay.db.models import WebSession

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
    last_seen: datetime | None = None

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
    accounts_repo.delete_expired_web_sessions(session, now)
    token = new_token()
    if isinstance(principal, WorkerPrincipal):
        kind, subject = "worker", principal.worker_id
    else:
        kind, subject = "user", principal.user_id or ""
    csrf = new_token()
    session.add(WebSession(id=token_digest(token), kind=kind, subject_id=subject,
                           org_id=principal.org_id, csrf_token=csrf, created_at=now,
                           expires_at=now + LIFETIME, last_seen_at=now))
    session.flush()
    return token, SignedIn(principal, csrf, now)


def find_session(session: Session, token: str, now: datetime,
                 idle: timedelta | None = None) -> SignedIn | None:
    """The live session of a cookie token, or None (unknown, expired, idle for ``idle`` or
    longer, or its account gone)."""
    row = accounts_repo.get_web_session(session, token_digest(token))
    if row is None or row.expires_at <= now:
        return None
    last_seen = row.last_seen_at or row.created_at
    if idle is not None and last_seen + idle <= now:
        return None
    principal: Principal
    if row.kind == "worker":
        worker = find_worker(session, row.subject_id)
        if worker is None:
            return None
        principal = WorkerPrincipal(worker.id, worker.org_id)
    else:
        user = find_user(session, row.org_id, row.subject_id) if row.org_id else None
        if user is None:
            return None
        principal = Requester(org_id=user.org_id, user_id=user.id, role=user.role)
    return SignedIn(principal, row.csrf_token, last_seen)


def touch_every(idle: timedelta) -> timedelta:
    """How stale ``last_seen_at`` may get before a request writes it again: a tenth of the
    idle timeout, at most a minute (a session may end up to that much early)."""
    return min(idle / 10, timedelta(minutes=1))


def touch_session(session: Session, token: str, now: datetime) -> None:
    """Record a request of the session (never moving its time backwards)."""
    accounts_repo.touch_web_session(session, token_digest(token), now)


def end_session(session: Session, token: str) -> None:
    accounts_repo.delete_web_session(session, token_digest(token))
