"""statuses the database itself refuses when they are not listed (db/statuses.py)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

PostgreSQL gets a CHECK constraint per column. SQLite cannot add one without rebuilding the
table, so it gets the equivalent pair of triggers (before insert, before update of the
column) that abort the statement with the constraint's name.

The value lists are written out here, not imported: a migration must keep meaning what it
meant when it ran, whatever db/statuses.py says later.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CHECKS = (
    ("tasks", "status",
     ("pending", "completed", "canceled", "error", "gold", "retired", "training"), False),
    ("tasks", "review_status", ("pending", "accepted", "fixed", "rejected"), True),
    ("project_workers", "status", ("active", "paused"), False),
    ("assignments", "status", ("active", "submitted", "skipped", "expired"), False),
    ("batches", "status",
     ("staging", "in_progress", "paused", "completed", "canceled"), False),
)


def _condition(column: str, values: tuple[str, ...], nullable: bool, prefix: str = "") -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    ref = f"{prefix}{column}"
    return f"{ref} IS NULL OR {ref} IN ({listed})" if nullable else f"{ref} IN ({listed})"


def _name(table: str, column: str) -> str:
    return f"ck_{table}_{column}"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, values, nullable in CHECKS:
        name = _name(table, column)
        if not sqlite:
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} "
                       f"CHECK ({_condition(column, values, nullable)})")
            continue
        fail = f"SELECT RAISE(ABORT, 'CHECK constraint failed: {name}')"
        when = f"NOT ({_condition(column, values, nullable, 'NEW.')})"
        op.execute(f"CREATE TRIGGER {name}_insert BEFORE INSERT ON {table} "
                   f"WHEN {when} BEGIN {fail}; END")
        op.execute(f"CREATE TRIGGER {name}_update BEFORE UPDATE OF {column} ON {table} "
                   f"WHEN {when} BEGIN {fail}; END")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, _, _ in CHECKS:
        name = _name(table, column)
        if sqlite:
            op.execute(f"DROP TRIGGER IF EXISTS {name}_insert")
            op.execute(f"DROP TRIGGER IF EXISTS {name}_update")
        else:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
