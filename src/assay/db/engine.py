"""Engines and transactions for SQLite (embedded default) and PostgreSQL (production).

SQLite runs in WAL mode with a busy timeout and ``synchronous=FULL`` (an acknowledged answer
is on disk); write transactions start with ``BEGIN IMMEDIATE`` so that two writers never
deadlock on a lock upgrade. PostgreSQL uses psycopg 3 and row locks (``FOR UPDATE SKIP
LOCKED``) where work is claimed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assay.db.durability import create_private_sqlite_file
from assay.db.jsoncodec import dumps_json, loads_json
from assay.db.sealing import register_engine
from assay.db.writelock import SQLiteWriteLock

T = TypeVar("T")

_RETRYABLE_PG = {"40001", "40P01"}  # serialization failure, deadlock detected


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        create_private_sqlite_file(url)
        engine = create_engine(
            url,
            json_serializer=dumps_json,
            json_deserializer=loads_json,
            connect_args={"check_same_thread": False, "timeout": 60},
            pool_size=48,
            max_overflow=16,
            pool_timeout=60,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_size=24, max_overflow=24, pool_timeout=60,
                         pool_pre_ping=True, json_serializer=dumps_json,
                         json_deserializer=loads_json)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("assay_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _is_retryable(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate in _RETRYABLE_PG


class Database:
    """The engine and the two kinds of transaction the services run in."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url)
        register_engine(self.engine)  # encrypted columns open with this engine's keys
        self.dialect = self.engine.dialect.name
        self._write = sessionmaker(
            bind=self.engine.execution_options(assay_write=True), expire_on_commit=False
        )
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        # SQLite has one writer at a time: writers queue on a lock that hands over at once
        # (see writelock.py); PostgreSQL needs none.
        self._write_lock: SQLiteWriteLock | None = None
        if self.dialect == "sqlite":
            path = make_url(self.url).database
            self._write_lock = SQLiteWriteLock(
                os.path.abspath(path) if path and path != ":memory:" else None)

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (a consistent snapshot on both databases)."""
        with self._read() as session, session.begin():
            if self.is_postgres:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """One write transaction, committed when the block ends without an error."""
        with self._write_lock or nullcontext(), self._write() as session, session.begin():
            yield session

    def write(self, fn: Callable[[Session], T], attempts: int = 4) -> T:
        """Run ``fn`` in a write transaction, retrying PostgreSQL deadlocks and
        serialization failures (the transaction is rolled back before each retry)."""
        for attempt in range(attempts):
            try:
                with self.write_session() as session:
                    return fn(session)
            except OperationalError as exc:
                if attempt + 1 < attempts and _is_retryable(exc):
                    time.sleep(0.01 * (attempt + 1))
                    continue
                raise
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()
