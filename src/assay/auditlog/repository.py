"""Every query of the audit log. Appends run on the hot path (each offer of a task to a
worker appends), so their statements are built once, at import, and run on the session's
connection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.db.models import AuditEntry as E
from assay.db.models import AuditHead as H
from assay.db.models import Organization
from assay.db.types import AnyRow

# The append runs on the driver's own connection (the session's, in its transaction): it is
# on the hot path, and SQLAlchemy's execution of its three short statements cost about twice
# the statements themselves (0.4-0.7 against 0.2-0.45 ms of CPU an append on SQLite,
# measured in-process). The first statement takes the organization's chain head and locks
# it until the transaction ends (an upsert locks the row it finds on PostgreSQL; on SQLite
# the write transaction already holds the database), creating it at seq 0 for a first entry.
_COLUMN_NAMES = ("org_id", "seq", "at", "actor_type", "actor_id", "action", "object", "ip",
                 "prev_hash", "hash")


def _statements(mark: str) -> tuple[str, str, str]:
    def p(name: str) -> str:
        return mark.format(name)

    take = (f"INSERT INTO audit_heads (org_id, seq, hash) VALUES ({p('org_id')}, 0, "
            f"{p('genesis')}) ON CONFLICT (org_id) DO UPDATE SET seq = audit_heads.seq "
            "RETURNING seq, hash")
    insert = (f"INSERT INTO audit_log ({', '.join(_COLUMN_NAMES)}) "
              f"VALUES ({', '.join(p(c) for c in _COLUMN_NAMES)})")
    move = (f"UPDATE audit_heads SET seq = {p('seq')}, hash = {p('hash')} "
            f"WHERE org_id = {p('org_id')}")
    return take, insert, move


_SQLITE = _statements(":{}")
_PSYCOPG = _statements("%({})s")
_COLUMNS = (E.seq, E.at, E.actor_type, E.actor_id, E.action, E.object, E.ip, E.prev_hash,
            E.hash)


def _driver(session: Session) -> tuple[Any, tuple[str, str, str], bool]:
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    return conn.connection.driver_connection, (_SQLITE if sqlite else _PSYCOPG), sqlite


def take_head(session: Session, org_id: str, genesis: str) -> tuple[int, str]:
    """The organization's last ``seq`` and ``hash`` (0 and ``genesis`` before its first
    entry), locked until the transaction ends: the next append is this transaction's."""
    driver, statements, _ = _driver(session)
    row = driver.execute(statements[0], {"org_id": org_id, "genesis": genesis}).fetchone()
    return int(row[0]), str(row[1])


def append_entry(session: Session, org_id: str, values: dict[str, Any]) -> None:
    """Insert the entry and make it the head (the caller holds the head: :func:`take_head`).
    ``values["at"]`` is an aware UTC datetime."""
    driver, statements, sqlite = _driver(session)
    at: datetime = values["at"]
    if sqlite:  # stored as UTCDateTime stores it: naive UTC text
        values = {**values, "at": at.astimezone(UTC).replace(tzinfo=None)
                  .strftime("%Y-%m-%d %H:%M:%S.%f")}
    driver.execute(statements[1], {**values, "org_id": org_id})
    driver.execute(statements[2], {"org_id": org_id, "seq": values["seq"],
                                   "hash": values["hash"]})


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
