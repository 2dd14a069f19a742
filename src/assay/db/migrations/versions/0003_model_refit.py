"""model refit

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("project_workers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("model_accuracy", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("model_answers", sa.Integer(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refit_marker", sa.String(length=40), nullable=True))

    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index("ix_responses_project_newest", ["project_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index("ix_responses_project_newest")

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("refit_marker")

    with op.batch_alter_table("project_workers", schema=None) as batch_op:
        batch_op.drop_column("model_answers")
        batch_op.drop_column("model_accuracy")
