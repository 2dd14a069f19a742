"""The SQLite file is private to its owner; a PostgreSQL that does not keep acknowledged
commits is reported at start."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from assay.db.durability import durability_warnings
from assay.db.engine import Database, make_engine
from assay.db.migrate import upgrade
from tests.support import ServerProcess


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_file_and_its_journals_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask would make it world-readable
    try:
        path = tmp_path / "fresh.db"
        upgrade(f"sqlite:///{path}")
        db = Database(f"sqlite:///{path}")
        try:
            db.write(lambda s: s.execute(text("CREATE TABLE scratch (x INTEGER)")))
            wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
            assert wal.exists() and shm.exists()
            assert [_mode(p) for p in (path, wal, shm)] == [0o600] * 3
        finally:
            db.dispose()
    finally:
        os.umask(old)


def test_an_existing_sqlite_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    path.touch()
    path.chmod(0o640)
    make_engine(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o640


def test_postgres_without_synchronous_commit_is_reported_at_start(
        backend: str, db_url: str, tmp_path: Path) -> None:
    if backend != "postgres":
        pytest.skip("a PostgreSQL setting")
    lax = db_url + "?options=-csynchronous_commit%3Doff"
    engine = make_engine(lax)
    try:
        assert any("synchronous_commit=off" in w for w in durability_warnings(engine))
    finally:
        engine.dispose()
    log = tmp_path / "server.log"
    ServerProcess(lax, log_path=log).start().stop()
    assert "synchronous_commit=off" in log.read_text()
