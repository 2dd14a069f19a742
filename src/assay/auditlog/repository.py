"""Every query of the audit log. Appends run on the hot path (each offer of a task to a
worker appends), so their statements are built once, at import, and run on the session's
connection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from assay.db.models import AuditEntry as E
from assay.db.models import AuditHead as H
from assay.db.models import Organization
from assay.db.types import AnyRow

# One statement takes the organization's chain head and locks it until the transaction
# ends (an upsert locks the row it finds, on both databases; on SQLite the write
# transaction already holds the whole database), creating it at seq 0 for a first entry.
_TAKE_HEAD = text(
    "INSERT INTO audit_heads (org_id, seq, hash) VALUES (:org_id, 0, :genesis) "
    "ON CONFLICT (org_id) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash")
_INSERT = insert(E)
_MOVE_HEAD = update(H).where(H.org_id == bindparam("org")).values(
    seq=bindparam("seq"), hash=bindparam("hash"))
_COLUMNS = (E.seq, E.at, E.actor_type, E.actor_id, E.action, E.object, E.ip, E.prev_hash,
            E.hash)


def take_head(session: Session, org_id: str, genesis: str) -> tuple[int, str]:
    """The organization's last ``seq`` and ``hash`` (0 and ``genesis`` before its first
    entry), locked until the transaction ends: the next append is this transaction's."""
    row = session.connection().execute(
        _TAKE_HEAD, {"org_id": org_id, "genesis": genesis}).one()
    return int(row.seq), str(row.hash)


def append_entry(session: Session, org_id: str, values: dict[str, Any]) -> None:
    """Insert the entry and make it the head (the caller holds the head: :func:`take_head`)."""
    conn = session.connection()
    conn.execute(_INSERT, {**values, "org_id": org_id})
    conn.execute(_MOVE_HEAD, {"org": org_id, "seq": values["seq"], "hash": values["hash"]})


def get_head(session: Session, org_id: str) -> AnyRow | None:
    """The head as stored (no lock): what the chain's last entry must match."""
    return session.execute(select(H.seq, H.hash).where(H.org_id == org_id)).first()


def list_entries(session: Session, org_id: str, *, object_id: str | None,
                 actor: str | None, action: str | None, since: datetime | None,
                 after_seq: int, limit: int) -> list[AnyRow]:
    """Entries in chain order after ``after_seq``, filtered."""
    stmt = select(*_COLUMNS).where(E.org_id == org_id, E.seq > after_seq)
    if object_id is not None:
        stmt = stmt.where(E.object == object_id)
    if actor is not None:
        stmt = stmt.where(E.actor_type == "operator" if actor == "operator"
                          else E.actor_id == actor)
    if action is not None:
        stmt = stmt.where(E.action == action)
    if since is not None:
        stmt = stmt.where(E.at >= since)
    return list(session.execute(stmt.order_by(E.seq).limit(limit)).all())


def iter_chain(session: Session, org_id: str, page: int = 5000) -> Iterator[AnyRow]:
    """Every entry of the organization in ``seq`` order, read by keyset pages (memory stays
    flat however long the chain)."""
    after: int | None = None
    while True:
        stmt = select(*_COLUMNS).where(E.org_id == org_id)
        if after is not None:
            stmt = stmt.where(E.seq > after)
        rows = session.execute(stmt.order_by(E.seq).limit(page)).all()
        yield from rows
        if len(rows) < page:
            return
        after = int(rows[-1].seq)


def org_exists(session: Session, org_id: str) -> bool:
    return session.get(Organization, org_id) is not None
