"""roles for API keys (name, role), the previous webhook secret during a rotation

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Columns are added with op.add_column (no table rebuild on SQLite, which would drop the
status-check triggers of 0012). Keys that existed before roles are ``admin`` keys: they
could do everything, and keep doing it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assay.db.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("name", sa.String(length=200), nullable=False,
                                        server_default=""))
    op.add_column("api_keys", sa.Column("role", sa.String(length=20), nullable=False,
                                        server_default="admin"))
    op.add_column("organizations", sa.Column("previous_webhook_secret", sa.String(length=200),
                                             nullable=True))
    op.add_column("organizations", sa.Column(
        "previous_webhook_secret_until", assay.db.types.UTCDateTime(timezone=True),
        nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("previous_webhook_secret_until")
        batch_op.drop_column("previous_webhook_secret")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("role")
        batch_op.drop_column("name")
