"""Appending to an organization's audit log, reading it, and verifying its chain.

Entries are appended in the caller's transaction, so an entry commits or rolls back with
the change it records. Appends of one organization are serialized by the lock on its chain
head (:func:`repository.take_head`), so its chain never forks whatever the number of server
processes. Entries hold ids and action names, never customer content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

from assay.auditlog import repository
from assay.auditlog.chain import GENESIS, at_text, canonical, entry_hash, entry_id
from assay.auditlog.origin import client_address
from assay.db.types import AnyRow

if TYPE_CHECKING:
    from assay.accounts.service import Requester, WorkerPrincipal

T = TypeVar("T")

ACTOR_TYPES = ("key", "user", "worker", "operator")


@dataclass(frozen=True)
class Actor:
    """Who acted: ``key`` (an API key's id), ``user`` (``usr_…``), ``worker`` (``wrk_…``)
    or ``operator`` (a command run on the server's machine; no id)."""

    type: str
    id: str | None = None


OPERATOR = Actor("operator")


def actor_of(who: Requester | WorkerPrincipal | Actor) -> Actor:
    """The actor of a principal: a worker, else the requester's key, else their user."""
    if isinstance(who, Actor):
        return who
    worker_id = getattr(who, "worker_id", None)
    if worker_id is not None:
        return Actor("worker", worker_id)
    key_id = getattr(who, "key_id", None)
    if key_id is not None:
        return Actor("key", key_id)
    user_id = getattr(who, "user_id", None)
    if user_id is not None:
        return Actor("user", user_id)
    raise ValueError(f"no audit actor for {who!r}")


def record(session: Session, who: Requester | WorkerPrincipal | Actor, action: str,
           object_id: str | None, *, org_id: str | None = None,
           at: datetime | None = None) -> str:
    """Append one entry to the organization's chain in this transaction; return its id.

    ``org_id`` defaults to the principal's organization (give it for a worker of the crowd,
    whose entries go to the organization whose task it is). The client's address comes
    from the request (:mod:`assay.auditlog.origin`)."""
    org = org_id if org_id is not None else getattr(who, "org_id", None)
    if org is None:
        raise ValueError(f"an audit entry for {action} needs the organization")
    actor = actor_of(who)
    when = at or datetime.now(UTC)
    ip = client_address.get()
    last, prev_hash = repository.take_head(session, org, GENESIS)
    seq = last + 1
    digest = entry_hash(prev_hash, canonical(org, seq, at_text(when), actor.type, actor.id,
                                             action, object_id, ip))
    repository.append_entry(session, org, {
        "seq": seq, "at": when, "actor_type": actor.type, "actor_id": actor.id,
        "action": action, "object": object_id, "ip": ip, "prev_hash": prev_hash,
        "hash": digest})
    return entry_id(seq)


def noted(session: Session, who: Requester | WorkerPrincipal | Actor, action: str, result: T,
          object_id: str | None = None, *, org_id: str | None = None, key: str = "id") -> T:
    """:func:`record` as a pass-through for a route's one-line call: appends the entry and
    returns ``result``; the object is ``object_id``, else ``result[key]`` (a created
    object's document)."""
    if object_id is None:
        object_id = str(result[key])  # type: ignore[index]
    record(session, who, action, object_id, org_id=org_id)
    return result


def entry_doc(row: AnyRow) -> dict[str, Any]:
    """An entry as ``GET /v1/audit`` shows it; ``at`` is exactly the text that was hashed."""
    return {"id": entry_id(int(row.seq)), "seq": int(row.seq), "at": at_text(row.at),
            "actor": {"type": row.actor_type, "id": row.actor_id}, "action": row.action,
            "object": row.object, "ip": row.ip, "prev_hash": row.prev_hash,
            "hash": row.hash}


def list_entries(session: Session, org_id: str, *, object_id: str | None, actor: str | None,
                 action: str | None, since: datetime | None, after_seq: int,
                 limit: int) -> list[dict[str, Any]]:
    rows = repository.list_entries(session, org_id, object_id=object_id, actor=actor,
                                   action=action, since=since, after_seq=after_seq,
                                   limit=limit)
    return [entry_doc(r) for r in rows]


def org_exists(session: Session, org_id: str) -> bool:
    return repository.org_exists(session, org_id)
