"""AES-256-GCM envelopes: a value sealed under a data key, a data key wrapped by a key
encryption key (the master key or a customer-held key).

A sealed value is ``01 | len(org) | org | nonce(12) | ciphertext+tag``; its associated data
is the organization, the table and the column, so a value copied to another organization,
table or column fails authentication instead of opening. A wrapped key is
``01 | nonce(12) | ciphertext+tag`` with the organization as associated data.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
from typing import TYPE_CHECKING

from assay.crypto.errors import KeyFileError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
KEY_BYTES = 32
NONCE_BYTES = 12


def parse_key(raw: bytes, source: str) -> bytes:
    """A 32-byte key from a file's or variable's contents: 32 raw bytes, or their base64."""
    if len(raw) == KEY_BYTES:
        return raw
    text = raw.strip()
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"{source}: a key must be 32 bytes, raw or base64-encoded "
                           f"(got {len(raw)} bytes that decode to {len(key) or 'no'} bytes)")
    return key


def fingerprint(key: bytes) -> str:
    """A short public name for a key (which key wrapped a data key), not the key."""
    return hashlib.sha256(b"assay key id\0" + key).hexdigest()[:16]


@functools.lru_cache(maxsize=4096)
def _value_aad(org_id: bytes, table: str, column: str) -> bytes:
    return b"assay value\0" + org_id + b"\0" + table.encode() + b"\0" + column.encode()


def seal_value(aead: AESGCM, org_id: str, table: str, column: str, plaintext: bytes) -> bytes:
    org = org_id.encode()
    nonce = os.urandom(NONCE_BYTES)
    return (VERSION + bytes([len(org)]) + org + nonce
            + aead.encrypt(nonce, plaintext, _value_aad(org, table, column)))


def sealed_org(blob: bytes) -> str:
    """The organization a sealed value names in its header."""
    return blob[2:2 + blob[1]].decode()


def open_value(aead: AESGCM, table: str, column: str, blob: bytes) -> bytes:
    """The plaintext; :class:`InvalidTag` if the value was altered or moved."""
    n = blob[1]
    org = blob[2:2 + n]
    start = 2 + n + NONCE_BYTES
    return aead.decrypt(blob[2 + n:start], blob[start:], _value_aad(org, table, column))


def _key_aad(org_id: str) -> bytes:
    return b"assay data key\0" + org_id.encode()


def wrap_key(kek: bytes, org_id: str, data_key: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(kek).encrypt(nonce, data_key, _key_aad(org_id))


def unwrap_key(kek: bytes, org_id: str, wrapped: bytes) -> bytes | None:
    """The data key, or None when ``kek`` did not wrap it (or the bytes were altered)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if wrapped[:1] != VERSION:
        return None
    try:
        return AESGCM(kek).decrypt(wrapped[1:1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES:],
                                   _key_aad(org_id))
    except InvalidTag:
        return None
