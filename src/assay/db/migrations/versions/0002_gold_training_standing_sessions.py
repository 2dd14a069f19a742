"""gold, training, worker standing, web sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import assay.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=True),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_sessions_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "project_workers",
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("worker_id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("gold_answers", sa.Integer(), nullable=False),
        sa.Column("gold_correct", sa.Integer(), nullable=False),
        sa.Column("training_answers", sa.Integer(), nullable=False),
        sa.Column("training_correct", sa.Integer(), nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("pause_reason", sa.String(length=20), nullable=True),
        sa.Column("paused_at", assay.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.id"],
        ),
        sa.PrimaryKeyConstraint("project_id", "worker_id"),
    )
    with op.batch_alter_table("project_workers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_workers_org_id"), ["org_id"], unique=False)

    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("correct", sa.Boolean(), nullable=True))

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=10), server_default="live", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "expected_answer",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("explanation", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("explanation")
        batch_op.drop_column("expected_answer")
        batch_op.drop_column("purpose")

    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("correct")

    with op.batch_alter_table("project_workers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_workers_org_id"))

    op.drop_table("project_workers")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_expires_at"))

    op.drop_table("web_sessions")
