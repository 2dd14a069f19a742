"""Storage settings that decide whether an acknowledged answer survives a crash.

An answer is acknowledged after its transaction commits. On PostgreSQL that promise holds
only with ``fsync`` on (the server forces its WAL to disk) and ``synchronous_commit`` not
``off`` (a commit waits for that flush). Both are server settings an operator may turn off
for speed; the server then still runs, and says at start what it no longer promises.
SQLite's own setting (``synchronous=FULL``) is set by Assay on every connection.

A new SQLite file is created readable and writable by its owner only (``0600``): it holds
every organization's data and credential digests. SQLite gives its ``-wal`` and ``-shm``
files the same mode. An existing file keeps the mode its operator gave it.
"""

from __future__ import annotations

import os

from sqlalchemy import Engine, make_url, text


def create_private_sqlite_file(url: str) -> None:
    """Create the database file of a SQLite ``url`` with mode 0600 if it does not exist
    yet (before SQLite would create it with the process's umask)."""
    parsed = make_url(url)
    path = parsed.database
    if not parsed.drivername.startswith("sqlite") or not path or path == ":memory:" \
            or path.startswith("file:"):
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except FileNotFoundError:  # a missing folder: SQLite will say so
        return
    os.close(fd)
    os.chmod(path, 0o600)  # whatever the umask took away, nothing more is granted


def durability_warnings(engine: Engine) -> list[str]:
    """What this PostgreSQL server does not promise about committed data (empty when
    ``fsync`` is on and ``synchronous_commit`` is not off; always empty on SQLite)."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        fsync = str(conn.execute(text("SHOW fsync")).scalar_one())
        synchronous = str(conn.execute(text("SHOW synchronous_commit")).scalar_one())
    warnings = []
    if fsync.lower() == "off":
        warnings.append("PostgreSQL runs with fsync=off: a crash of the database server or "
                        "its machine can lose or corrupt acknowledged answers")
    if synchronous.lower() == "off":
        warnings.append("PostgreSQL runs with synchronous_commit=off: answers acknowledged "
                        "in the last moments before a database crash can be lost")
    return warnings
