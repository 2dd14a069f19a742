"""One writer at a time on a SQLite file, handed over at once.

SQLite lets one transaction write at a time. Left to its busy handler, a waiting writer
sleeps in growing steps (up to 100 ms) and the tail latency balloons. Instead, writers queue
here: on a thread lock inside the process, then on an ``flock`` of a file beside the
database, which the kernel hands to the next process the moment it is released. Every
Assay process that opens the file — server workers, the CLI — takes the same lock.
"""

from __future__ import annotations

import os
import threading
from types import TracebackType

try:
    import fcntl
except ImportError:  # not on POSIX: the thread lock alone, and SQLite's busy timeout
    fcntl = None  # type: ignore[assignment]


class SQLiteWriteLock:
    def __init__(self, database_path: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = f"{database_path}.writelock" if database_path and fcntl else None
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        if self._path is None:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()
