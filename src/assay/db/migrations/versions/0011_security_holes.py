"""gold checks disclosed in batches, sign-in throttling, idle web sessions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assay.db.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("project_workers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gold_shown_answers", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("gold_shown_correct", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("shown_through", sa.String(length=40), nullable=True))
    # What workers could already read stays readable: every check made so far is disclosed.
    op.execute(
        "UPDATE project_workers SET gold_shown_answers = gold_answers, "
        "gold_shown_correct = gold_correct, shown_through = (SELECT max(r.id) FROM "
        "responses r WHERE r.project_id = project_workers.project_id "
        "AND r.worker_id = project_workers.worker_id)")
    op.create_index("ix_responses_worker_project", "responses",
                    ["worker_id", "project_id", "id"])

    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at",
                                      assay.db.types.UTCDateTime(timezone=True),
                                      nullable=True))

    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_signin_failures_key", "signin_failures", ["scope", "key", "at"])
    op.create_index(op.f("ix_signin_failures_at"), "signin_failures", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_signin_failures_at"), table_name="signin_failures")
    op.drop_index("ix_signin_failures_key", table_name="signin_failures")
    op.drop_table("signin_failures")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
    op.drop_index("ix_responses_worker_project", table_name="responses")
    with op.batch_alter_table("project_workers", schema=None) as batch_op:
        batch_op.drop_column("shown_through")
        batch_op.drop_column("gold_shown_correct")
        batch_op.drop_column("gold_shown_answers")
