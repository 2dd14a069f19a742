"""callback delivery log (callback_deliveries)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04

A new table only (op.create_table): no rebuild of an existing SQLite table, so the
status-check triggers of 0012 stay. Callback jobs queued before this migration have no
record; they are delivered as before and simply not listed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assay.db.types

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_deliveries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), sa.ForeignKey("organizations.id"),
                  nullable=False),
        sa.Column("task_id", sa.String(length=40), nullable=False),
        sa.Column("job_id", sa.String(length=40), nullable=False),
        sa.Column("host", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_try_at", assay.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", assay.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", name="uq_callback_deliveries_job_id"),
    )
    op.create_index("ix_callback_deliveries_org_task", "callback_deliveries",
                    ["org_id", "task_id"])


def downgrade() -> None:
    op.drop_index("ix_callback_deliveries_org_task", table_name="callback_deliveries")
    op.drop_table("callback_deliveries")
