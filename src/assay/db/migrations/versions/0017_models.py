"""model endpoints (models) and the record of every call to one (model_calls)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

New tables only (op.create_table): no rebuild of an existing SQLite table, so the
status-check triggers of 0012 stay. ``models.api_key`` is sealed (db/sealing.py): TEXT
holding a sealed BLOB on SQLite, bytea on PostgreSQL, as the columns of 0015.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assay.db.types
from assay.db.sealing import Sealed

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), sa.ForeignKey("organizations.id"),
                  nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("base_url", sa.String(length=2000), nullable=False),
        sa.Column("model", sa.String(length=400), nullable=False),
        sa.Column("api_key", Sealed("models", "api_key", "text"), nullable=True),
        sa.Column("params", assay.db.types.JSONType, nullable=False),
        sa.Column("prices", assay.db.types.JSONType, nullable=True),
        sa.Column("created_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "name", name="uq_models_org_name"),
    )
    op.create_index("ix_models_org_id", "models", ["org_id"])
    op.create_table(
        "model_calls",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), sa.ForeignKey("organizations.id"),
                  nullable=False),
        sa.Column("model_id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("tokens_estimated", sa.Boolean(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("cost_pico", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_model_calls_model", "model_calls", ["org_id", "model_id", "project_id"])


def downgrade() -> None:
    op.drop_index("ix_model_calls_model", table_name="model_calls")
    op.drop_table("model_calls")
    op.drop_index("ix_models_org_id", table_name="models")
    op.drop_table("models")
