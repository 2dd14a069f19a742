"""Queries for accounts: organizations, credentials, workers and users, browser sessions
and sign-in failures. Credentials are looked up by digest, never by plain text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from assay.db.models import ApiKey, Organization, SigninFailure, User, WebSession, Worker


def get_org(session: Session, org_id: str) -> Organization | None:
    return session.get(Organization, org_id)


def get_api_key_by_digest(session: Session, digest: str) -> ApiKey | None:
    return session.scalars(
        select(ApiKey).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))
    ).first()


def get_worker_by_token_digest(session: Session, digest: str) -> Worker | None:
    return session.scalars(select(Worker).where(Worker.token_hash == digest)).first()


def get_worker_by_email(session: Session, email: str) -> Worker | None:
    return session.scalars(select(Worker).where(Worker.email == email)).first()


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email)).first()


def get_worker(session: Session, worker_id: str) -> Worker | None:
    return session.get(Worker, worker_id)


def get_user(session: Session, org_id: str, user_id: str) -> User | None:
    return session.scalars(select(User).where(User.id == user_id,
                                              User.org_id == org_id)).first()


# Administration of an organization: its members and keys.

def lock_org(session: Session, org_id: str) -> Organization | None:
    """The organization's row, locked until the transaction ends (PostgreSQL; SQLite has
    one writer already): changes to its admins queue here, so two of them cannot both see
    another admin left and each remove the other."""
    return session.scalars(select(Organization).where(Organization.id == org_id)
                           .with_for_update()).first()


def list_users(session: Session, org_id: str, after: str | None, limit: int) -> list[User]:
    stmt = select(User).where(User.org_id == org_id)
    if after is not None:
        stmt = stmt.where(User.id > after)
    return list(session.scalars(stmt.order_by(User.id).limit(limit)))


def count_admin_users(session: Session, org_id: str) -> int:
    return int(session.scalar(select(func.count()).select_from(User).where(
        User.org_id == org_id, User.role == "admin")) or 0)


def delete_user_web_sessions(session: Session, org_id: str, user_id: str,
                             keep: str | None = None) -> None:
    """End the user's browser sessions (but the one whose digest is ``keep``)."""
    stmt = delete(WebSession).where(WebSession.org_id == org_id, WebSession.kind == "user",
                                    WebSession.subject_id == user_id)
    if keep is not None:
        stmt = stmt.where(WebSession.id != keep)
    session.execute(stmt)


def list_api_keys(session: Session, org_id: str, after: str | None,
                  limit: int) -> list[ApiKey]:
    stmt = select(ApiKey).where(ApiKey.org_id == org_id)
    if after is not None:
        stmt = stmt.where(ApiKey.id > after)
    return list(session.scalars(stmt.order_by(ApiKey.id).limit(limit)))


def get_api_key(session: Session, org_id: str, key_id: str) -> ApiKey | None:
    return session.scalars(select(ApiKey).where(ApiKey.id == key_id,
                                                ApiKey.org_id == org_id)).first()


# Browser sessions, found by the digest of their cookie token.

def get_web_session(session: Session, digest: str) -> WebSession | None:
    return session.get(WebSession, digest)


def delete_expired_web_sessions(session: Session, now: datetime) -> None:
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))


def touch_web_session(session: Session, digest: str, now: datetime) -> None:
    """Record a request of the session (never moving its time backwards)."""
    session.execute(update(WebSession).where(
        WebSession.id == digest,
        or_(WebSession.last_seen_at.is_(None), WebSession.last_seen_at < now),
    ).values(last_seen_at=now))


def delete_web_session(session: Session, digest: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == digest))


# Sign-in failures (``throttle.py``), keyed by digests of what was typed.

def lock_signin_keys(session: Session, keys: list[str]) -> None:
    """Serialize attempts on the same keys across PostgreSQL sessions (in a fixed order,
    so that two attempts never wait on each other); SQLite has one writer already."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(keys):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                        {"k": int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)})


def delete_signin_failures_before(session: Session, before: datetime) -> None:
    session.execute(delete(SigninFailure).where(SigninFailure.at <= before))


def list_signin_failures(session: Session, scope: str, key: str,
                         since: datetime) -> list[datetime]:
    """When the key's failures after ``since`` happened, oldest first."""
    return list(session.scalars(
        select(SigninFailure.at).where(SigninFailure.scope == scope, SigninFailure.key == key,
                                       SigninFailure.at > since)
        .order_by(SigninFailure.at)))


def add_signin_failure(session: Session, scope: str, key: str, at: datetime) -> int:
    """Count a failure; returns its row id."""
    row: int = session.execute(insert(SigninFailure).values(scope=scope, key=key, at=at)
                               .returning(SigninFailure.id)).scalar_one()
    return row


def delete_signin_failures(session: Session, scope: str, key: str) -> None:
    session.execute(delete(SigninFailure).where(SigninFailure.scope == scope,
                                                SigninFailure.key == key))


def delete_signin_failure(session: Session, row_id: int) -> None:
    session.execute(delete(SigninFailure).where(SigninFailure.id == row_id))
