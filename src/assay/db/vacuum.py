"""``assay db vacuum``: make erased content leave the database's files.

Erasure (``DELETE``, retention, ``assay worker erase``) overwrites content in place. What
the database keeps of the old values until this runs:

- SQLite: erasure runs with ``secure_delete``, so freed space is zeroed in the pages it
  writes; but those pages sit in the ``-wal`` file until a checkpoint copies them into the
  database file, and older WAL frames still hold the pages as they were before the erasure.
  ``VACUUM`` rebuilds the file from live rows only, then ``wal_checkpoint(TRUNCATE)`` copies
  everything back and empties the WAL.
- PostgreSQL: an UPDATE leaves the old row version as a dead tuple. ``VACUUM FULL`` of the
  tables that hold content rewrites them from live rows (it locks each table while it
  runs). PostgreSQL's own WAL segments and any WAL archive keep old versions until they are
  recycled; that is the operator's retention to set.
"""

from __future__ import annotations

from sqlalchemy import text

from assay.db.engine import Database

CONTENT_TABLES = ("tasks", "responses", "assignments", "reviews", "audits", "projects",
                  "workers", "web_sessions")


def vacuum(db: Database) -> str:
    """Run the database's vacuum; returns which one ran."""
    if not db.is_postgres:
        # Outside any transaction (the engine's connections begin one for every use): the
        # driver's own connection is in autocommit mode.
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.execute("VACUUM")  # type: ignore[union-attr]
            raw.driver_connection.execute(  # type: ignore[union-attr]
                "PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return "sqlite VACUUM + wal_checkpoint(TRUNCATE)"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in CONTENT_TABLES:
            conn.execute(text(f"VACUUM FULL {table}"))
    return "postgresql VACUUM FULL " + ", ".join(CONTENT_TABLES)
