"""Managing an organization's data key: create it, hand it to a customer-held key, rotate
its wrapping, shred it. Each runs in the caller's write transaction."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assay.crypto.envelope import KEY_BYTES, fingerprint, wrap_key
from assay.crypto.errors import Erased
from assay.crypto.keyring import Keyring, read_key_row
from assay.crypto.masterkey import read_key_file
from assay.db.models import OrgKey


def create_data_key(session: Session, keyring: Keyring, org_id: str, now: datetime) -> None:
    """A fresh random data key for a new organization, wrapped by the master key."""
    key = os.urandom(KEY_BYTES)
    session.add(OrgKey(org_id=org_id, wrapped=wrap_key(keyring.master(), org_id, key),
                       wrapped_by="master", kek_id=keyring.master_id(), key_path=None,
                       created_at=now, rotated_at=None, shredded_at=None))
    session.flush()
    keyring.remember(session.get_bind().dialect, org_id, key)


def _current_key(session: Session, keyring: Keyring, org_id: str) -> bytes:
    return keyring.unwrap(read_key_row(session, org_id), org_id)


def _store(session: Session, keyring: Keyring, org_id: str, wrapped: bytes, wrapped_by: str,
           kek_id: str, key_path: str | None, now: datetime) -> None:
    session.execute(update(OrgKey).where(OrgKey.org_id == org_id).values(
        wrapped=wrapped, wrapped_by=wrapped_by, kek_id=kek_id, key_path=key_path,
        rotated_at=now))
    keyring.forget(session.get_bind().dialect, org_id)


def set_customer_key(session: Session, keyring: Keyring, org_id: str, path: str,
                     now: datetime) -> str:
    """Wrap the organization's data key by the key in ``path`` from now on; the server reads
    that file whenever it unwraps the key, so the file must stay readable by it. Returns the
    key's fingerprint."""
    key = _current_key(session, keyring, org_id)
    absolute = str(Path(path).resolve())
    kek = read_key_file(absolute, "--key-file")
    kek_id = fingerprint(kek)
    _store(session, keyring, org_id, wrap_key(kek, org_id, key), "customer", kek_id,
           absolute, now)
    return kek_id


def rotate(session: Session, keyring: Keyring, org_id: str, now: datetime) -> str:
    """Re-wrap the data key under its current kind of key: the configured master key (the
    data key may still be wrapped by ``ASSAY_PREVIOUS_MASTER_KEY_FILE``), or the customer
    key now in the registered file. Returns the wrapping key's fingerprint."""
    row = read_key_row(session, org_id)
    key = keyring.unwrap(row, org_id)
    assert row is not None
    if row.wrapped_by == "customer":
        assert row.key_path is not None
        return set_customer_key(session, keyring, org_id, row.key_path, now)
    _store(session, keyring, org_id, wrap_key(keyring.master(), org_id, key), "master",
           keyring.master_id(), None, now)
    return keyring.master_id()


def list_org_ids(session: Session) -> list[str]:
    """Every organization whose data key is not shredded (for ``rotate --all``)."""
    return list(session.scalars(select(OrgKey.org_id).where(OrgKey.shredded_at.is_(None))
                                .order_by(OrgKey.org_id)))


def shredded_org_ids(session: Session) -> set[str]:
    """The organizations whose data key was shredded: the background sweeps pass them by
    (nothing of theirs can be read, fitted or erased again)."""
    return set(session.scalars(select(OrgKey.org_id).where(OrgKey.shredded_at.is_not(None))))


def shred(session: Session, keyring: Keyring, org_id: str, now: datetime) -> bool:
    """Destroy the organization's wrapped data key: everything sealed under it is
    unreadable from now on, here and in every backup. False if it has no key."""
    row = read_key_row(session, org_id)
    if row is None:
        return False
    session.execute(update(OrgKey).where(OrgKey.org_id == org_id).values(
        wrapped=None, shredded_at=row.shredded_at or now))
    keyring.forget(session.get_bind().dialect, org_id)
    return True


__all__ = ["Erased", "create_data_key", "list_org_ids", "rotate", "set_customer_key", "shred",
           "shredded_org_ids"]
