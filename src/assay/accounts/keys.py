"""An organization's API keys: created with a name and a role, listed without their
secret, revoked with immediate effect (``http/auth.py`` reads a key's row on every
request, so a revoked key fails at once on every server process)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts import repository
from assay.accounts.service import Requester, create_api_key
from assay.clock import isoformat
from assay.db.models import ApiKey
from assay.errors import NotFound, field_error


def key_object(row: ApiKey) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "role": row.role, "prefix": row.prefix,
            "created_at": isoformat(row.created_at), "revoked_at": isoformat(row.revoked_at)}


def list_keys(session: Session, who: Requester, after: str | None,
              limit: int) -> tuple[list[dict[str, Any]], list[str]]:
    rows = repository.list_api_keys(session, who.org_id, after, limit + 1)
    return [key_object(r) for r in rows], [r.id for r in rows]


def add_key(session: Session, who: Requester, name: str, role: str) -> dict[str, Any]:
    """A new key of the organization: its object plus ``key``, shown this once."""
    name = name.strip()
    if not name or len(name) > 200:
        raise field_error("name", "must be 1 to 200 characters")
    key, row = create_api_key(session, who.org_id, name, role)
    return {**key_object(row), "key": key}


def revoke_key(session: Session, who: Requester, key_id: str, now: datetime) -> dict[str, Any]:
    """Revoke a key (again: no change). Its next request is refused."""
    row = repository.get_api_key(session, who.org_id, key_id)
    if row is None:
        raise NotFound("key not found")
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return key_object(row)
