"""conversation turns: generated candidates (generations) and what each assignment saw

Revision ID: 0019
Revises: 0021
Create Date: 2026-12-05

It follows 0021 (curation), which landed first. New tables only (op.create_table): no
rebuild of an existing SQLite table, so the status-check triggers of 0012 stay. The sealed
columns are created with their declared types (JSON / TEXT on SQLite, bytea on
PostgreSQL) by the Sealed column type itself.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assay.db.sealing
import assay.db.types

revision = "0019"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "generations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), sa.ForeignKey("organizations.id"),
                  nullable=False),
        sa.Column("project_id", sa.String(length=40), sa.ForeignKey("projects.id"),
                  nullable=False),
        sa.Column("task_id", sa.String(length=40), sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("prompt", assay.db.sealing.Sealed("generations", "prompt", "text"),
                  nullable=True),
        sa.Column("messages", assay.db.sealing.Sealed("generations", "messages"),
                  nullable=False),
        sa.Column("candidates", assay.db.sealing.Sealed("generations", "candidates"),
                  nullable=True),
        sa.Column("claimed_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", assay.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "scope", "turn", name="uq_generations_task_scope_turn"),
    )
    op.create_index("ix_generations_org_task", "generations", ["org_id", "task_id"])
    op.create_table(
        "assignment_turns",
        sa.Column("assignment_id", sa.String(length=40), sa.ForeignKey("assignments.id"),
                  nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=40), sa.ForeignKey("organizations.id"),
                  nullable=False),
        sa.Column("task_id", sa.String(length=40), sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("generation_id", sa.String(length=40), sa.ForeignKey("generations.id"),
                  nullable=False),
        sa.Column("choice", assay.db.sealing.Sealed("assignment_turns", "choice"),
                  nullable=True),
        sa.Column("created_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("assignment_id", "turn"),
    )
    op.create_index("ix_assignment_turns_task", "assignment_turns", ["org_id", "task_id"])


def downgrade() -> None:
    op.drop_index("ix_assignment_turns_task", table_name="assignment_turns")
    op.drop_table("assignment_turns")
    op.drop_index("ix_generations_org_task", table_name="generations")
    op.drop_table("generations")
