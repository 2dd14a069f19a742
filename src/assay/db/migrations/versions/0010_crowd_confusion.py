"""the refit's confusion counts, per worker and per project (adaptive overlap)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("project_workers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("model_confusion", JSON, nullable=True))

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("crowd_model", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("crowd_model")

    with op.batch_alter_table("project_workers", schema=None) as batch_op:
        batch_op.drop_column("model_confusion")
