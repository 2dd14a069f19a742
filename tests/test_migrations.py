"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from assay.db.engine import Database, make_engine
from assay.db.migrate import alembic_config, head_revisions, is_current, upgrade
from assay.db.models import Base


def test_migrated_schema_matches_the_models(db: Database, db_url: str) -> None:
    upgrade(db_url)  # a second run is harmless
    assert is_current(db.engine)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    # Expression indexes cannot be compared by autogenerate (ix_tasks_queue is written by
    # hand in the migration); everything else must match.
    assert [d for d in diff if "ix_tasks_queue" not in str(d)] == []



def test_the_heads_read_from_the_migration_files_are_alembic_s(db_url: str,
                                                              tmp_path: Path) -> None:
    # is_current and the start-up check read the heads without Alembic (db/migrate.py).
    script = ScriptDirectory.from_config(alembic_config(db_url))
    assert head_revisions() == set(script.get_heads())
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert not is_current(empty)
    finally:
        empty.dispose()
