"""The ``Assay-Signature`` header: ``t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<body>")>``.

After the organization rotates its webhook secret, callbacks carry one ``v1=`` per valid
secret for 24 hours, the new secret's first: ``t=<t>,v1=<new>,v1=<old>``. A receiver
accepts the callback when any ``v1`` matches a secret it holds, so it can switch to the new
secret at any moment of those 24 hours without losing a callback.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence


def _mac(secret: str, body: bytes, t: int) -> str:
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secrets: str | Sequence[str], body: bytes, timestamp: int | None = None) -> str:
    """The header value for ``body``, signed with each of ``secrets`` in order."""
    t = int(time.time()) if timestamp is None else timestamp
    keys = (secrets,) if isinstance(secrets, str) else tuple(secrets)
    return ",".join([f"t={t}", *(f"v1={_mac(k, body, t)}" for k in keys)])


def verify(secret: str, body: bytes, header: str, tolerance_s: int = 300,
           now: int | None = None) -> bool:
    """Check a signature as a receiver would (used by the SDK and the tests): the time is
    within ``tolerance_s`` and one of the header's ``v1`` values is ``secret``'s."""
    timestamps, macs = [], []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            return False
        if name == "t":
            timestamps.append(value)
        elif name == "v1":
            macs.append(value)
    try:
        (t,) = (int(v) for v in timestamps)
    except ValueError:
        return False
    current = int(time.time()) if now is None else now
    if abs(current - t) > tolerance_s:
        return False
    expected = _mac(secret, body, t)
    # Compare with every value (no early exit), so timing does not tell which one matched.
    return sum(hmac.compare_digest(expected, m) for m in macs) > 0
