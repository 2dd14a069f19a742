"""erasure tombstones, retention, project sensitivity, worker clearances

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

Columns are added with ``op.add_column`` (no SQLite table rebuild, which would drop the
status triggers of 0012). ``tasks.status`` gains ``erased``: its CHECK constraint
(PostgreSQL) or pair of triggers (SQLite) is rebuilt with the longer list, written out here
like 0012's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assay.db.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_BEFORE = ("pending", "completed", "canceled", "error", "gold", "retired", "training")
_AFTER = (*_BEFORE, "erased")


def _status_check(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    name = "ck_tasks_status"
    if op.get_bind().dialect.name != "sqlite":
        op.execute(f"ALTER TABLE tasks DROP CONSTRAINT {name}")
        op.execute(f"ALTER TABLE tasks ADD CONSTRAINT {name} CHECK (status IN ({listed}))")
        return
    fail = f"SELECT RAISE(ABORT, 'CHECK constraint failed: {name}')"
    when = f"NOT (NEW.status IN ({listed}))"
    for event, suffix in (("INSERT", "insert"), ("UPDATE OF status", "update")):
        op.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
        op.execute(f"CREATE TRIGGER {name}_{suffix} BEFORE {event} ON tasks "
                   f"WHEN {when} BEGIN {fail}; END")


def upgrade() -> None:
    when = assay.db.types.UTCDateTime(timezone=True)
    op.add_column("projects", sa.Column("sensitivity", sa.String(length=20), nullable=False,
                                        server_default="standard"))
    op.add_column("projects", sa.Column("retention_days", sa.Integer(), nullable=True))
    op.add_column("projects", sa.Column("erased_at", when, nullable=True))
    op.add_column("tasks", sa.Column("erased_at", when, nullable=True))
    op.add_column("workers", sa.Column("clearances", assay.db.types.JSONType, nullable=False,
                                       server_default=sa.text("'[]'")))
    op.add_column("workers", sa.Column("erased_at", when, nullable=True))
    _status_check(_AFTER)


def downgrade() -> None:
    # The older schema has no tombstones: an erased task stays, canceled.
    op.execute("UPDATE tasks SET status = 'canceled' WHERE status = 'erased'")
    _status_check(_BEFORE)
    for table, column in (("workers", "erased_at"), ("workers", "clearances"),
                          ("tasks", "erased_at"), ("projects", "erased_at"),
                          ("projects", "retention_days"), ("projects", "sensitivity")):
        op.drop_column(table, column)
