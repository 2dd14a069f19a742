"""Organizations' data keys: created with the organization, unwrapped on demand and kept in
process memory for at most :data:`CACHE_S` seconds, so that a shred (or a rotation) done by
any process reaches every running server within that time.

The keyring is the sealer that ``db/sealing.py`` calls: it seals a value in a session (the
organization's key is read in that session, so a key created in the same transaction is
seen) and opens a value read on an engine (the key is read on a connection of its own).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from assay.crypto.envelope import fingerprint, open_value, seal_value, sealed_org, unwrap_key
from assay.crypto.errors import Erased, KeyFileError, KeyUnavailable
from assay.crypto.masterkey import load_master_key, load_previous_master_key, read_key_file
from assay.db.jsoncodec import dumps_json, loads_json
from assay.db.models import OrgKey
from assay.db.sealing import engine_of

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CACHE_S = 10.0
"""How long an unwrapped data key may stay in memory before it is read again."""


@dataclass(frozen=True)
class KeyRow:
    org_id: str
    wrapped: bytes | None
    wrapped_by: str
    kek_id: str
    key_path: str | None
    shredded_at: datetime | None


_ROW = select(OrgKey.org_id, OrgKey.wrapped, OrgKey.wrapped_by, OrgKey.kek_id,
              OrgKey.key_path, OrgKey.shredded_at)


def read_key_row(conn: Session | Connection, org_id: str) -> KeyRow | None:
    row = conn.execute(_ROW.where(OrgKey.org_id == org_id)).first()
    if row is None:
        return None
    wrapped = bytes(row.wrapped) if row.wrapped is not None else None
    return KeyRow(row.org_id, wrapped, row.wrapped_by, row.kek_id, row.key_path,
                  row.shredded_at)


class Keyring:
    """The process's master keys and, per database, its cache of unwrapped data keys."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = env
        self._lock = threading.Lock()
        self._master: bytes | None = None
        self._previous: bytes | None = None

    # -- key encryption keys ---------------------------------------------------------

    def master(self) -> bytes:
        if self._master is None:
            with self._lock:
                if self._master is None:
                    self._previous = load_previous_master_key(self._env)
                    self._master = load_master_key(self._env)
        return self._master

    def master_id(self) -> str:
        return fingerprint(self.master())

    def kek_for(self, row: KeyRow) -> bytes:
        """The key that wrapped this data key, or :class:`KeyUnavailable` saying why not."""
        if row.wrapped_by == "customer":
            try:
                kek = read_key_file(row.key_path or "", f"customer key of {row.org_id}")
            except KeyFileError as exc:
                raise KeyUnavailable(str(exc)) from None
            if fingerprint(kek) != row.kek_id:
                raise KeyUnavailable(f"the customer key at {row.key_path} is not the key that "
                                     f"wrapped the data key of {row.org_id}")
            return kek
        candidates = [self.master(), *([self._previous] if self._previous else [])]
        for kek in candidates:
            if fingerprint(kek) == row.kek_id:
                return kek
        raise KeyUnavailable(
            f"the data key of {row.org_id} is wrapped by master key {row.kek_id}, but the "
            f"configured master key is {self.master_id()}: set ASSAY_MASTER_KEY or "
            "ASSAY_MASTER_KEY_FILE to the key this database was written with")

    def unwrap(self, row: KeyRow | None, org_id: str) -> bytes:
        if row is None:
            raise KeyUnavailable(f"organization {org_id} has no data key")
        if row.shredded_at is not None or row.wrapped is None:
            raise Erased()
        key = unwrap_key(self.kek_for(row), org_id, row.wrapped)
        if key is None:
            raise KeyUnavailable(f"the data key of {org_id} does not unwrap with key "
                                 f"{row.kek_id}: it was altered")
        return key

    # -- the cache -------------------------------------------------------------------

    @staticmethod
    def _cache(dialect: Dialect) -> dict[str, tuple[AESGCM, float]]:
        cache: dict[str, tuple[AESGCM, float]] | None = getattr(dialect, "assay_keys", None)
        if cache is None:
            cache = {}
            dialect.assay_keys = cache  # type: ignore[attr-defined]
        return cache

    def remember(self, dialect: Dialect, org_id: str, key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._cache(dialect)[org_id] = (AESGCM(key), time.monotonic() + CACHE_S)

    def forget(self, dialect: Dialect, org_id: str) -> None:
        self._cache(dialect).pop(org_id, None)

    def _aead(self, dialect: Dialect, org_id: str, load: Callable[[], KeyRow | None]) -> AESGCM:
        hit = self._cache(dialect).get(org_id)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        key = self.unwrap(load(), org_id)
        self.remember(dialect, org_id, key)
        return self._cache(dialect)[org_id][0]

    # -- the sealer of db/sealing.py -------------------------------------------------

    def seal(self, session: Session, org_id: str, table: str, column: str, value: Any) -> bytes:
        dialect = session.get_bind().dialect
        aead = self._aead(dialect, org_id, lambda: read_key_row(session, org_id))
        return seal_value(aead, org_id, table, column, dumps_json(value).encode())

    def open(self, dialect: Dialect, table: str, column: str, blob: bytes) -> Any:
        from cryptography.exceptions import InvalidTag

        org_id = sealed_org(blob)

        def load() -> KeyRow | None:  # only on a cache miss: the engine is found then
            with engine_of(dialect).connect() as conn:
                return read_key_row(conn, org_id)

        aead = self._aead(dialect, org_id, load)
        try:
            return loads_json(open_value(aead, table, column, blob))
        except InvalidTag:
            raise KeyUnavailable(f"a value of {table}.{column} of {org_id} fails "
                                 "authentication: altered, or moved from another row") from None

    def unreadable_keys(self, conn: Connection) -> list[str]:
        """Why each organization's data key (shredded ones aside) cannot be unwrapped with
        the keys this process has: empty when all can."""
        problems = []
        for (org_id,) in conn.execute(select(OrgKey.org_id).where(OrgKey.shredded_at.is_(None))):
            try:
                self.unwrap(read_key_row(conn, org_id), org_id)
            except KeyUnavailable as exc:
                problems.append(exc.reason)
        return problems

    def encrypt_existing(self, conn: Connection, columns: list[tuple[str, str, bool]]) -> int:
        from assay.crypto.convert import encrypt_existing

        return encrypt_existing(self, conn, columns)
