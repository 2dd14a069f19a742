"""Bring a database to the current schema with Alembic (safe to run again).

Whether a database is current is read without Alembic: the newest revisions are read from
the migration files' ``revision`` / ``down_revision`` lines (:func:`head_revisions`, once a
process) and compared with the ``alembic_version`` table. A server that starts on a current
database (and every ``/readyz``) therefore neither imports Alembic nor loads the migration
scripts; ``tests/test_migrations.py`` checks the heads against Alembic's own.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from assay.db.engine import make_engine, normalize_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_ASSIGNED = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.M)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


@cache
def head_revisions() -> frozenset[str]:
    """The revisions no migration names as its ``down_revision``: the schema's heads."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _ASSIGNED.findall(script.read_text(encoding="utf-8")):
            found = _QUOTED.findall(value)
            (revisions if name == "revision" else parents).update(found)
    return frozenset(revisions - parents)


def current_revisions(conn: Connection) -> frozenset[str]:
    """The revisions the database is at (none for an empty database)."""
    if not inspect(conn).has_table("alembic_version"):
        return frozenset()
    return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def upgrade(url: str) -> None:
    """Create or migrate the schema to the newest revision."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if current_revisions(conn) == head_revisions():
                return
        from alembic import command

        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest revision (used by ``/readyz``)."""
    with engine.connect() as conn:
        return current_revisions(conn) == head_revisions()
