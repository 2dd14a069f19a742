"""review lease and levels, review checks in standing, the standing record, org payouts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assay.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COUNTERS = ("review_answers", "review_correct", "base_answers", "base_correct",
            "reviews_checked", "reviews_upheld")


def upgrade() -> None:
    op.create_table(
        "worker_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("worker_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", assay.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_worker_events", "worker_events", ["worker_id", "project_id", "id"])

    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org_id", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_payouts_org_id", ["org_id"], unique=False)
        batch_op.create_foreign_key("fk_payouts_org_id", "organizations", ["org_id"], ["id"])

    with op.batch_alter_table("project_workers", schema=None) as batch_op:
        for name in COUNTERS:
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default="0",
                                          nullable=False))

    with op.batch_alter_table("reviewers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("level", sa.Integer(), server_default="1",
                                      nullable=False))

    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("level", sa.Integer(), server_default="1",
                                      nullable=False))
        batch_op.add_column(sa.Column("checks_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("second_status", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("held_by", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("held_until",
                                      assay.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_reviews_second", ["project_id", "second_status", "id"],
                              unique=False)
        batch_op.create_foreign_key("fk_reviews_checks_id", "reviews", ["checks_id"], ["id"])

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_holder", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("review_until",
                                      assay.db.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("review_until")
        batch_op.drop_column("review_holder")

    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reviews_checks_id", type_="foreignkey")
        batch_op.drop_index("ix_reviews_second")
        for name in ("held_until", "held_by", "second_status", "checks_id", "level"):
            batch_op.drop_column(name)

    with op.batch_alter_table("reviewers", schema=None) as batch_op:
        batch_op.drop_column("level")

    with op.batch_alter_table("project_workers", schema=None) as batch_op:
        for name in reversed(COUNTERS):
            batch_op.drop_column(name)

    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_payouts_org_id", type_="foreignkey")
        batch_op.drop_index("ix_payouts_org_id")
        batch_op.drop_column("org_id")

    op.drop_index("ix_worker_events", table_name="worker_events")
    op.drop_table("worker_events")
