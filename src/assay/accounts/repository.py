"""Queries for accounts. Credentials are looked up by digest, never by plain text."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.db.models import ApiKey, Organization, User, Worker


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
