"""What ``assay org key set|rotate`` and ``assay org shred`` do, each in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from assay.crypto import active_keyring, keys
from assay.crypto.errors import KeyFileError
from assay.db.engine import Database
from assay.db.models import Organization
from assay.errors import InvalidInput, NotFound


def _require_org(session: Session, org_id: str) -> None:
    if session.get(Organization, org_id) is None:
        raise NotFound(f"organization {org_id} does not exist")


def set_customer_key(db: Database, org_id: str, key_file: str) -> str:
    """Wrap the organization's data key by the customer-held key in ``key_file``."""

    def run(session: Session) -> str:
        _require_org(session, org_id)
        try:
            return keys.set_customer_key(session, active_keyring(), org_id, key_file,
                                         datetime.now(UTC))
        except KeyFileError as exc:
            raise InvalidInput(str(exc)) from None

    return db.write(run)


def rotate(db: Database, org_id: str | None) -> dict[str, str]:
    """Re-wrap one organization's data key (``org_id``) or every one's (None): org id ->
    fingerprint of the key that wraps it now."""

    def run(session: Session) -> dict[str, str]:
        if org_id is not None:
            _require_org(session, org_id)
        chosen = [org_id] if org_id is not None else keys.list_org_ids(session)
        now = datetime.now(UTC)
        return {each: keys.rotate(session, active_keyring(), each, now) for each in chosen}

    return db.write(run)


def shred(db: Database, org_id: str) -> None:
    def run(session: Session) -> None:
        _require_org(session, org_id)
        if not keys.shred(session, active_keyring(), org_id, datetime.now(UTC)):
            raise NotFound(f"organization {org_id} has no data key")

    db.write(run)
