"""Encryption at rest: per-organization data keys (AES-256-GCM) wrapped by a master key or a
customer-held key; see docs/security.md ("Encryption at rest") and docs/operations.md.

Infrastructure: imports ``db`` and ``errors`` only. :func:`install` gives ``db/sealing.py``
its sealer (``wiring.install`` calls it in the app, the CLI and the tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assay.crypto.errors import Erased, KeyFileError, KeyUnavailable

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from assay.crypto.keyring import Keyring

_keyring: Keyring | None = None


def install() -> Keyring:
    """The process's keyring (made once; the master key is read at first use). The
    database layer is imported here, not with the package: ``assay.crypto.errors`` is on
    the way of every command (cli.py), ``assay aggregate`` included."""
    from assay.crypto.keyring import Keyring
    from assay.db import sealing

    global _keyring
    if _keyring is None:
        _keyring = Keyring()
        sealing.install(_keyring)
    return _keyring


def active_keyring() -> Keyring:
    return install()


def create_org_key(session: Session, org_id: str, now: datetime) -> None:
    """A new organization's data key (``accounts.service.create_org`` calls it)."""
    from assay.crypto.keys import create_data_key

    create_data_key(session, active_keyring(), org_id, now)


__all__ = ["Erased", "KeyFileError", "KeyUnavailable", "active_keyring", "create_org_key",
           "install"]
