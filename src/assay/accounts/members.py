"""An organization's members: the requester users who sign in to the dashboard, each with a
role (``admin``, ``member``, ``viewer``).

The organization keeps at least one admin *member* whatever keys exist: removing or
demoting the last one is a conflict. Changes to members take the organization's row lock
first, so two admins demoting each other at the same moment cannot both succeed.
A member's browser sessions end when they are removed or their password is set by an
admin; changing one's own password ends one's other sessions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts import repository, throttle
from assay.accounts.secrets import hash_password, verify_password
from assay.accounts.service import (
    Requester,
    check_password,
    check_role,
    create_user,
)
from assay.clock import isoformat
from assay.db.models import User
from assay.errors import Conflict, Forbidden, NotFound, RateLimited, field_error


def member_object(user: User) -> dict[str, Any]:
    return {"user_id": user.id, "email": user.email, "role": user.role,
            "created_at": isoformat(user.created_at)}


def _member(session: Session, who: Requester, user_id: str) -> User:
    user = repository.get_user(session, who.org_id, user_id)
    if user is None:
        raise NotFound("member not found")
    return user


def _lock_org(session: Session, who: Requester) -> None:
    if repository.lock_org(session, who.org_id) is None:
        raise NotFound("organization not found")


def _keep_an_admin(session: Session, who: Requester, user: User) -> None:
    """Refuse to take the admin role from the organization's last admin member."""
    if user.role == "admin" and repository.count_admin_users(session, who.org_id) <= 1:
        raise Conflict("the organization's last admin member cannot be removed or demoted; "
                       "make another member an admin first", code="last_admin")


def list_members(session: Session, who: Requester, after: str | None,
                 limit: int) -> tuple[list[dict[str, Any]], list[str]]:
    users = repository.list_users(session, who.org_id, after, limit + 1)
    return [member_object(u) for u in users], [u.id for u in users]


def add_member(session: Session, who: Requester, email: str, role: str,
               password: str | None) -> dict[str, Any]:
    user_id = create_user(session, email, who.org_id, password, role)
    return member_object(_member(session, who, user_id))


def update_member(session: Session, who: Requester, user_id: str, role: str | None,
                  password: str | None) -> dict[str, Any]:
    """Change a member's role and/or set their password (which ends their sessions)."""
    if role is not None:
        check_role(role)
    check_password(password)
    _lock_org(session, who)
    user = _member(session, who, user_id)
    if role is not None and role != user.role:
        if role != "admin":
            _keep_an_admin(session, who, user)
        user.role = role
    if password is not None:
        user.password_hash = hash_password(password)
        repository.delete_user_web_sessions(session, who.org_id, user.id)
    session.flush()
    return member_object(user)


def remove_member(session: Session, who: Requester, user_id: str) -> dict[str, Any]:
    """Remove a member; their browser sessions end with them."""
    _lock_org(session, who)
    user = _member(session, who, user_id)
    _keep_an_admin(session, who, user)
    removed = member_object(user)
    repository.delete_user_web_sessions(session, who.org_id, user.id)
    session.delete(user)
    session.flush()
    return removed


def _own_user(session: Session, who: Requester) -> User:
    """The signed-in member acting; an API key has no password (``403 user_required``)."""
    if who.user_id is None:
        raise Forbidden("only a signed-in member has a password; an API key has none",
                        code="user_required")
    return _member(session, who, who.user_id)


def begin_password_attempt(session: Session, who: Requester, address: str, now: datetime,
                           account_limits: throttle.Limits,
                           address_limits: throttle.Limits) -> throttle.Attempt:
    """Count a password change as a sign-in attempt of the member's account and of the
    client's address (the sign-in page's limits, the same counts: a stolen session cannot
    guess the current password faster than the sign-in page allows), or refuse it with
    ``429`` while a limit is reached. Commit it before checking the password."""
    user = _own_user(session, who)
    attempt = throttle.begin_attempt(session, user.email, address, now, account_limits,
                                     address_limits)
    if isinstance(attempt, throttle.Throttled):
        raise RateLimited("too many wrong passwords for this account or address; try again "
                          "later", retry_after=attempt.retry_after)
    return attempt


def change_own_password(session: Session, who: Requester, current: str, new: str,
                        keep_session: str | None,
                        attempt: throttle.Attempt | None = None) -> dict[str, Any]:
    """The signed-in member changes their password; every other session of theirs ends
    (``keep_session``: the digest of the session making the change). ``attempt``, from
    :func:`begin_password_attempt`, is taken back when the current password is right."""
    user = _own_user(session, who)
    if not verify_password(current, user.password_hash):
        raise field_error("current_password", "is not the member's password")
    if attempt is not None:
        throttle.succeeded(session, attempt)
    if len(new) < 8:
        raise field_error("new_password", "must have at least 8 characters")
    if new == current:
        raise field_error("new_password", "must differ from the current password")
    user.password_hash = hash_password(new)
    repository.delete_user_web_sessions(session, who.org_id, user.id, keep=keep_session)
    session.flush()
    return member_object(user)
