"""What ``assay org key set|rotate`` and ``assay org shred`` do, each in one transaction.

``note(session, org_id)``, when given, runs in that transaction for each organization acted on
(the command line puts the act on the organization's audit log with it; this package, being
infrastructure, does not know the audit log)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from assay.crypto import active_keyring, keys
from assay.crypto.errors import KeyFileError
from assay.db.engine import Database
from assay.db.models import Organization
from assay.errors import InvalidInput, NotFound

Note = Callable[[Session, str], object]


def _require_org(session: Session, org_id: str) -> None:
    if session.get(Organization, org_id) is None:
        raise NotFound(f"organization {org_id} does not exist")


def set_customer_key(db: Database, org_id: str, key_file: str,
                     note: Note | None = None) -> str:
    """Wrap the organization's data key by the customer-held key in ``key_file``."""

    def run(session: Session) -> str:
        _require_org(session, org_id)
        try:
            key_id = keys.set_customer_key(session, active_keyring(), org_id, key_file,
                                           datetime.now(UTC))
        except KeyFileError as exc:
            raise InvalidInput(str(exc)) from None
        if note is not None:
            note(session, org_id)
        return key_id

    return db.write(run)


def rotate(db: Database, org_id: str | None, note: Note | None = None) -> dict[str, str]:
    """Re-wrap one organization's data key (``org_id``) or every one's (None): org id ->
    fingerprint of the key that wraps it now."""

    def run(session: Session) -> dict[str, str]:
        if org_id is not None:
            _require_org(session, org_id)
        chosen = [org_id] if org_id is not None else keys.list_org_ids(session)
        now = datetime.now(UTC)
        done = {each: keys.rotate(session, active_keyring(), each, now) for each in chosen}
        if note is not None:
            for each in done:
                note(session, each)
        return done

    return db.write(run)


def shred(db: Database, org_id: str, note: Note | None = None) -> None:
    def run(session: Session) -> None:
        _require_org(session, org_id)
        if note is not None:
            note(session, org_id)
        if not keys.shred(session, active_keyring(), org_id, datetime.now(UTC)):
            raise NotFound(f"organization {org_id} has no data key")

    db.write(run)
