"""Named locks that hold across processes, for work that must not run twice at once (one
project's refit). Try-locks: a caller that does not get one skips the work, since whoever
holds it is doing it.

PostgreSQL: a session advisory lock on a connection of its own, so any number of API and
jobs processes on one database agree. SQLite: an ``flock`` on a file beside the database
(every process on the machine that opens it agrees); an in-memory database has one
process, so a lock table in the process does.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from assay.db.engine import Database

try:
    import fcntl
except ImportError:  # not on POSIX: the in-process table alone
    fcntl = None  # type: ignore[assignment]

_held: set[str] = set()
_held_lock = threading.Lock()


def _key(name: str) -> int:
    """A signed 64-bit advisory-lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def try_lock(db: Database, name: str) -> Iterator[bool]:
    """Yield True holding the lock ``name``, or False at once when another holds it."""
    with _held_lock:  # the same process: never twice, whatever the backend
        if name in _held:
            got_local = False
        else:
            _held.add(name)
            got_local = True
    if not got_local:
        yield False
        return
    try:
        if db.is_postgres:
            with _postgres(db, name) as got:
                yield got
        else:
            with _sqlite(db, name) as got:
                yield got
    finally:
        with _held_lock:
            _held.discard(name)


@contextmanager
def _postgres(db: Database, name: str) -> Iterator[bool]:
    key = _key(name)
    with db.engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


@contextmanager
def _sqlite(db: Database, name: str) -> Iterator[bool]:
    path = db.engine.url.database
    if not path or path == ":memory:" or fcntl is None:
        yield True  # one process: the in-process table decided
        return
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    fd = os.open(f"{path}.lock-{digest}", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
