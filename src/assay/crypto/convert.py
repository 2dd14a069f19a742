"""Encrypting the plaintext an older database holds (run by the migration that introduced
encryption at rest, with the master key): every organization gets a data key, then every
sealed column's plain values are sealed in place. Values already sealed are left as they
are, so an interrupted run can simply run again."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from sqlalchemy import Connection, text

from assay.crypto.envelope import KEY_BYTES, seal_value, wrap_key
from assay.crypto.keyring import Keyring, read_key_row
from assay.db.jsoncodec import dumps_json

BATCH = 1000


def encrypt_existing(keyring: Keyring, conn: Connection,
                     columns: list[tuple[str, str, bool]]) -> int:
    """Seal the plain values of ``columns`` ((table, column, holds JSON) triples); returns
    how many values were sealed."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    now = datetime.now(UTC)
    keys: dict[str, AESGCM] = {}
    for (org_id,) in conn.execute(text("SELECT id FROM organizations")):
        row = read_key_row(conn, org_id)
        if row is None:
            key = os.urandom(KEY_BYTES)
            conn.execute(text(
                "INSERT INTO org_keys (org_id, wrapped, wrapped_by, kek_id, created_at) "
                "VALUES (:org, :wrapped, 'master', :kek, :now)"),
                {"org": org_id, "wrapped": wrap_key(keyring.master(), org_id, key),
                 "kek": keyring.master_id(), "now": now})
        else:
            key = keyring.unwrap(row, org_id)
        keys[org_id] = AESGCM(key)
    sealed = 0
    for table, column, holds_json in columns:
        rows = conn.execute(text(f"SELECT id, org_id, {column} FROM {table} "
                                 f"WHERE {column} IS NOT NULL")).all()
        batch: list[dict[str, object]] = []
        for row_id, org_id, value in rows:
            raw = bytes(value) if isinstance(value, (bytes, memoryview)) else value.encode()
            if raw[:1] == b"\x01":
                continue
            plain = raw if holds_json else dumps_json(raw.decode()).encode()
            batch.append({"id": row_id,
                          "v": seal_value(keys[org_id], org_id, table, column, plain)})
            if len(batch) == BATCH:
                conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = :id"), batch)
                sealed += len(batch)
                batch = []
        if batch:
            conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = :id"), batch)
            sealed += len(batch)
    return sealed
