"""``GET /v1/audit`` (admin), and the one-line call a read route makes to be on record."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from fastapi import APIRouter, Depends, Query

from assay.auditlog import service
from assay.auditlog.chain import seq_of
from assay.auditlog.schemas import AuditPage
from assay.db.engine import Database
from assay.errors import field_error
from assay.http.auth import get_db, require_admin
from assay.http.documents import doc
from assay.http.pagination import check_limit, decode_token, page

if TYPE_CHECKING:
    from assay.accounts.service import Requester, WorkerPrincipal

T = TypeVar("T")

router = APIRouter(tags=["audit"])



class _Admin(Protocol):
    """What the route needs of the admin ``require_admin`` yields (a ``Requester``; the
    audit log sits below ``accounts`` and names it only for the type checker)."""

    @property
    def org_id(self) -> str: ...


_ACTION = re.compile(r"^[a-z][a-z_]*(\.[a-z_]+)+$")
_ID = re.compile(r"^[a-z]{2,5}_[0-9A-Za-z_-]{1,59}$")


def read_noted(db: Database, who: Requester | WorkerPrincipal, action: str, object_id: str,
               result: T, *, org_id: str | None = None) -> T:
    """Put a read of customer data on record before its answer leaves: one short write
    transaction of its own (a read has no change to commit with), then ``result``."""
    db.write(lambda s: service.record(s, who, action, object_id, org_id=org_id))
    return result


def _checked(name: str, value: str | None, pattern: re.Pattern[str]) -> str | None:
    if value is None or value == "":
        return None
    if not pattern.match(value):
        what = "an action name such as task.read" if name == "action" else \
            "an id" + (" or operator" if name == "actor" else "")
        raise field_error(name, f"must be {what}")
    return value


@router.get(
    "/v1/audit", response_model=None, responses=doc(AuditPage),
    summary="Page through the organization's audit log (admin)",
    description="Every change and every read of customer data, in chain order, "
                "filtered by object id, actor id (or `operator`), action name and time. "
                "Each entry's `hash` is SHA-256 over its `prev_hash` and its canonical "
                "encoding (docs/security.md); `assay audit verify` checks the chain.")
def list_audit(object: str | None = Query(None, description="an object's id, e.g. tsk_…"),
               actor: str | None = Query(None, description="an actor's id, or operator"),
               action: str | None = Query(None, description="an action, e.g. task.read"),
               since: datetime | None = Query(None, description="entries at or after"),
               limit: int = Query(100), next_token: str | None = None,
               who: _Admin = Depends(require_admin),
               db: Database = Depends(get_db)) -> dict[str, Any]:
    limit = check_limit(limit)
    object_id = _checked("object", object, _ID)
    actor_id = actor if actor == "operator" else _checked("actor", actor, _ID)
    action_name = _checked("action", action, _ACTION)
    after = decode_token(next_token)
    after_seq = seq_of(after) if after is not None else 0
    if after_seq is None:
        raise field_error("next_token", "is not a token this server issued")
    with db.read() as session:
        docs = service.list_entries(session, who.org_id, object_id=object_id, actor=actor_id,
                                    action=action_name, since=since, after_seq=after_seq,
                                    limit=limit + 1)
    return page(docs, [d["id"] for d in docs], limit)
