"""Account rules: creating organizations, keys, workers and users; authenticating them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from assay.accounts import repository
from assay.accounts.secrets import hash_password, token_digest, verify_password
from assay.clock import utcnow
from assay.crypto import create_org_key
from assay.db.models import ApiKey, Organization, User, Worker
from assay.errors import Conflict, NotFound, field_error
from assay.ids import new_id, new_secret

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# What each role may do (http/auth.py enforces it on every route): an admin also administers
# the organization (members, keys, the webhook secret); a member changes and exports
# anything else; a viewer reads.
ROLES = ("admin", "member", "viewer")
# How long callbacks carry the replaced secret's signature after a rotation.
PREVIOUS_SECRET_VALID = timedelta(hours=24)


@dataclass(frozen=True)
class Requester:
    """The acting principal of a customer call: an organization, through a key or a user."""

    org_id: str
    key_id: str | None = None
    user_id: str | None = None
    role: str = "admin"


@dataclass(frozen=True)
class WorkerPrincipal:
    worker_id: str
    org_id: str | None


@dataclass(frozen=True)
class CreatedOrg:
    org_id: str
    api_key: str
    webhook_secret: str


def check_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise field_error("email", "is not an email address")
    return email


def check_password(password: str | None) -> None:
    if password is not None and len(password) < 8:
        raise field_error("password", "must have at least 8 characters")


def create_org(session: Session, name: str) -> CreatedOrg:
    name = name.strip()
    if not name or len(name) > 200:
        raise field_error("name", "must be 1 to 200 characters")
    org = Organization(id=new_id("org"), name=name, webhook_secret=new_secret("whsec"),
                       created_at=utcnow())
    session.add(org)
    session.flush()
    create_org_key(session, org.id, org.created_at)
    key, _ = create_api_key(session, org.id, "initial", "admin")
    return CreatedOrg(org.id, key, org.webhook_secret)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise field_error("role", f"must be one of {', '.join(ROLES)}")
    return role


def create_api_key(session: Session, org_id: str, name: str = "",
                   role: str = "admin") -> tuple[str, ApiKey]:
    """Create a key; returns it in plain text (the only time it is ever shown) and its row."""
    check_role(role)
    if repository.get_org(session, org_id) is None:
        raise NotFound(f"organization {org_id} does not exist")
    key = new_secret("ak", 24)
    row = ApiKey(id=new_id("key"), org_id=org_id, key_hash=token_digest(key),
                 prefix=key[:8], created_at=utcnow(), name=name, role=role)
    session.add(row)
    session.flush()
    return key, row


def create_worker(session: Session, email: str, org_id: str | None = None,
                  password: str | None = None) -> tuple[str, str]:
    """Create a worker; returns ``(worker_id, token)``. The token is shown only here."""
    email = check_email(email)
    check_password(password)
    if org_id is not None and repository.get_org(session, org_id) is None:
        raise NotFound(f"organization {org_id} does not exist")
    if repository.get_worker_by_email(session, email) is not None:
        raise Conflict(f"a worker with email {email} exists", code="duplicate_email")
    token = new_secret("wt", 24)
    worker = Worker(id=new_id("wrk"), org_id=org_id, email=email,
                    password_hash=hash_password(password) if password else None,
                    token_hash=token_digest(token), created_at=utcnow())
    session.add(worker)
    session.flush()
    return worker.id, token


def create_user(session: Session, email: str, org_id: str, password: str | None,
                role: str = "member") -> str:
    """Create a requester user (a member). Without a password nobody can sign in as them
    until an admin sets one."""
    email = check_email(email)
    check_password(password)
    check_role(role)
    if repository.get_org(session, org_id) is None:
        raise NotFound(f"organization {org_id} does not exist")
    if repository.get_user_by_email(session, email) is not None:
        raise Conflict(f"a user with email {email} exists", code="duplicate_email")
    user = User(id=new_id("usr"), org_id=org_id, email=email,
                password_hash=hash_password(password) if password else "", role=role,
                created_at=utcnow())
    session.add(user)
    session.flush()
    return user.id


def authenticate_api_key(session: Session, key: str) -> Requester | None:
    row = repository.get_api_key_by_digest(session, token_digest(key))
    return Requester(org_id=row.org_id, key_id=row.id, role=row.role) if row else None


def authenticate_worker_token(session: Session, token: str) -> WorkerPrincipal | None:
    worker = repository.get_worker_by_token_digest(session, token_digest(token))
    return WorkerPrincipal(worker.id, worker.org_id) if worker else None


def authenticate_password(session: Session, email: str, password: str
                          ) -> Requester | WorkerPrincipal | None:
    """Sign-in for the web UI: a requester user or a worker, by email and password.
    The same answer (``None``) whether the account is missing or the password wrong."""
    email = email.strip().lower()
    user = repository.get_user_by_email(session, email)
    if user is not None:
        ok = verify_password(password, user.password_hash)
        return Requester(org_id=user.org_id, user_id=user.id, role=user.role) if ok else None
    worker = repository.get_worker_by_email(session, email)
    ok = verify_password(password, worker.password_hash if worker else None)
    return WorkerPrincipal(worker.id, worker.org_id) if worker and ok else None


def get_webhook_secret(session: Session, org_id: str) -> str:
    """The secret the organization's callbacks are signed with."""
    org = repository.get_org(session, org_id)
    if org is None:
        raise NotFound(f"organization {org_id} does not exist")
    return org.webhook_secret


def get_webhook_secrets(session: Session, org_id: str, now: datetime) -> tuple[str, ...]:
    """The secrets a callback is signed with at ``now``: the current one, then the one a
    rotation replaced while it is still valid (24 h after the rotation)."""
    org = repository.get_org(session, org_id)
    if org is None:
        raise NotFound(f"organization {org_id} does not exist")
    until = org.previous_webhook_secret_until
    if org.previous_webhook_secret and until is not None and now < until:
        return (org.webhook_secret, org.previous_webhook_secret)
    return (org.webhook_secret,)


def rotate_webhook_secret(session: Session, org_id: str, now: datetime) -> tuple[str, datetime]:
    """A new webhook secret; the one it replaces keeps signing callbacks (beside the new
    one) for :data:`PREVIOUS_SECRET_VALID`. A second rotation within that time drops the
    older secret at once: only the secret just replaced stays valid."""
    org = repository.lock_org(session, org_id)
    if org is None:
        raise NotFound(f"organization {org_id} does not exist")
    org.previous_webhook_secret = org.webhook_secret
    org.previous_webhook_secret_until = now + PREVIOUS_SECRET_VALID
    org.webhook_secret = new_secret("whsec")
    session.flush()
    return org.webhook_secret, org.previous_webhook_secret_until


def get_worker(session: Session, worker_id: str) -> Worker:
    """The worker (a signed-in worker reading their own row)."""
    worker = repository.get_worker(session, worker_id)
    if worker is None:
        raise NotFound("worker does not exist")
    return worker


def find_worker(session: Session, worker_id: str) -> Worker | None:
    """A worker by id, or None (a requester's lookup checks the worker's organization)."""
    return repository.get_worker(session, worker_id)


def find_user(session: Session, org_id: str, user_id: str) -> User | None:
    """The organization's user, or None."""
    return repository.get_user(session, org_id, user_id)
