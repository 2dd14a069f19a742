"""The hash chain of an organization's audit log: how an entry is encoded and hashed.

An entry's ``hash`` is the SHA-256, in lowercase hex, of the ASCII bytes of its
``prev_hash`` (64 hex digits; :data:`GENESIS` for an organization's first entry, ``seq`` 1)
followed by its canonical encoding: the JSON array

    [org_id, seq, at, actor_type, actor_id, action, object, ip]

written with no whitespace and every non-ASCII character escaped (``json.dumps(...,
separators=(",", ":"), ensure_ascii=True)``), where ``seq`` is a JSON integer, ``at`` is
RFC 3339 UTC with exactly six fractional digits and ``Z``
(``2026-12-04T18:14:01.123456Z``), and an absent ``actor_id``, ``object`` or ``ip`` is
``null``. Hashing the organization and the position in makes an entry valid only where it
was written; hashing ``prev_hash`` makes every entry vouch for all before it.

>>> entry_hash(GENESIS, canonical("org_1", 1, "2026-12-04T00:00:00.000000Z", "operator",
...                               None, "org.create", "org_1", None))[:16]
'2e4784846d21624d'
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64


def at_text(at: datetime) -> str:
    """The canonical form of an entry's time (naive values are taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(org_id: str, seq: int, at: str, actor_type: str, actor_id: str | None,
              action: str, object_id: str | None, ip: str | None) -> str:
    """The canonical encoding of an entry (see the module's docstring)."""
    return json.dumps([org_id, seq, at, actor_type, actor_id, action, object_id, ip],
                      separators=(",", ":"), ensure_ascii=True)


def entry_hash(prev_hash: str, encoded: str) -> str:
    """SHA-256 over ``prev_hash`` and the entry's canonical encoding, in hex."""
    return hashlib.sha256((prev_hash + encoded).encode("ascii")).hexdigest()


def entry_id(seq: int) -> str:
    """An entry's id: its place in its organization's chain, shaped like every Assay id
    (``aud_`` and 24 hex digits), so ids sort in chain order."""
    return f"aud_{seq:024x}"


def seq_of(entry_id_: str) -> int | None:
    """The ``seq`` an entry id stands for, or None when it is not an entry id."""
    prefix, _, body = entry_id_.partition("_")
    if prefix != "aud" or len(body) != 24:
        return None
    try:
        return int(body, 16)
    except ValueError:
        return None
