"""the audit log: hash-chained entries per organization and each chain's head

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04

New tables only (op.create_table): no rebuild of an existing SQLite table, so the
status-check triggers of 0012 stay.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assay.db.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("org_id", sa.String(length=40), sa.ForeignKey("organizations.id"),
                  nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_type", sa.String(length=10), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "seq"),
    )
    op.create_index("ix_audit_log_object", "audit_log", ["org_id", "object", "seq"])
    op.create_table(
        "audit_heads",
        sa.Column("org_id", sa.String(length=40), sa.ForeignKey("organizations.id"),
                  nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("org_id"),
    )


def downgrade() -> None:
    op.drop_table("audit_heads")
    op.drop_index("ix_audit_log_object", table_name="audit_log")
    op.drop_table("audit_log")
