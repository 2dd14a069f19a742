"""evaluations, their replies and blind battles

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05

New tables only (op.create_table): no rebuild of an existing SQLite table, so the
status-check triggers of 0012 stay. The prompts and the replies are sealed
(db/sealing.py), as task data is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assay.db.types
from assay.db.sealing import Sealed

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:
    return [sa.Column("created_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
            sa.Column("updated_at", assay.db.types.UTCDateTime(timezone=True), nullable=False)]


def _owner() -> list[sa.Column]:
    return [sa.Column("id", sa.String(length=40), nullable=False),
            sa.Column("org_id", sa.String(length=40), sa.ForeignKey("organizations.id"),
                      nullable=False)]


def upgrade() -> None:
    op.create_table(
        "evaluations",
        *_owner(),
        sa.Column("project_id", sa.String(length=40), sa.ForeignKey("projects.id"),
                  nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("config", assay.db.types.JSONType, nullable=False),
        sa.Column("prompts", Sealed("evaluations", "prompts"), nullable=False),
        sa.Column("left_out", assay.db.types.JSONType, nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evaluations_org_id", "evaluations", ["org_id"])
    op.create_table(
        "evaluation_replies",
        *_owner(),
        sa.Column("evaluation_id", sa.String(length=40), sa.ForeignKey("evaluations.id"),
                  nullable=False),
        sa.Column("prompt_index", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("model_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("content", Sealed("evaluation_replies", "content", "text"), nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id", "prompt_index", "model",
                            name="uq_evaluation_replies_prompt_model"),
    )
    op.create_index("ix_evaluation_replies_status", "evaluation_replies",
                    ["evaluation_id", "status"])
    op.create_table(
        "evaluation_battles",
        *_owner(),
        sa.Column("evaluation_id", sa.String(length=40), sa.ForeignKey("evaluations.id"),
                  nullable=False),
        sa.Column("prompt_index", sa.Integer(), nullable=False),
        sa.Column("model_a", sa.String(length=200), nullable=False),
        sa.Column("model_b", sa.String(length=200), nullable=False),
        sa.Column("task_id", sa.String(length=40), nullable=True),
        sa.Column("judge_status", sa.String(length=10), nullable=False),
        sa.Column("judge_first", sa.String(length=10), nullable=True),
        sa.Column("judge_swapped", sa.String(length=10), nullable=True),
        sa.Column("judge_verdict", sa.String(length=10), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evaluation_battles_eval", "evaluation_battles",
                    ["evaluation_id", "judge_status"])


def downgrade() -> None:
    op.drop_index("ix_evaluation_battles_eval", table_name="evaluation_battles")
    op.drop_table("evaluation_battles")
    op.drop_index("ix_evaluation_replies_status", table_name="evaluation_replies")
    op.drop_table("evaluation_replies")
    op.drop_index("ix_evaluations_org_id", table_name="evaluations")
    op.drop_table("evaluations")
