"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from assay.db.engine import Database
from assay.db.migrate import is_current, upgrade
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
