"""Hashing of credentials at rest.

API keys and worker tokens carry 192 bits of randomness, so a SHA-256 digest is enough to
store them (and lets a request find its key by an indexed lookup). Passwords are chosen by
people, so they get scrypt with a per-password salt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check; a missing hash still costs one scrypt so that timing does not
    tell whether an account exists."""
    if not stored or not stored.startswith("scrypt$"):
        hashlib.scrypt(password.encode(), salt=b"0" * 16, **_SCRYPT)
        return False
    _, salt_b64, digest_b64 = stored.split("$")
    digest = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt_b64), **_SCRYPT
    )
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))
