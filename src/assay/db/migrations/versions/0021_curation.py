"""curation: runs (duplicates, embeddings), duplicate pairs, predictions, embeddings,
suspects sent to review, and a project's curation settings

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-05

New tables, and one nullable column added to ``projects`` (``op.add_column``: no rebuild of
the SQLite table, so the status-check triggers of 0012 stay). Sealed columns
(``predictions.probabilities``, ``embeddings.vector``, ``suspects.label_before``) are JSON
or TEXT holding a sealed BLOB on SQLite, bytea on PostgreSQL, as those of 0015.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assay.db.types
from assay.db.sealing import Sealed

revision = "0021"
down_revision = "0018"
branch_labels = None
depends_on = None


def _org() -> sa.Column[str]:
    return sa.Column("org_id", sa.String(length=40), sa.ForeignKey("organizations.id"),
                     nullable=False)


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, assay.db.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("projects", sa.Column("curation", assay.db.types.JSONType, nullable=True))
    op.create_table(
        "curation_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        _org(),
        sa.Column("project_id", sa.String(length=40), sa.ForeignKey("projects.id"),
                  nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("params", assay.db.types.JSONType, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _at("created_at"), _at("updated_at"), _at("finished_at", True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_curation_runs_project", "curation_runs",
                    ["org_id", "project_id", "kind", "id"])
    op.create_table(
        "duplicate_pairs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), sa.ForeignKey("curation_runs.id"),
                  nullable=False),
        _org(),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("task_a", sa.String(length=40), nullable=False),
        sa.Column("task_b", sa.String(length=40), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_duplicate_pairs_run", "duplicate_pairs", ["run_id", "id"])
    op.create_index("ix_duplicate_pairs_task_a", "duplicate_pairs", ["org_id", "task_a"])
    op.create_index("ix_duplicate_pairs_task_b", "duplicate_pairs", ["org_id", "task_b"])
    op.create_table(
        "predictions",
        sa.Column("id", sa.String(length=40), nullable=False),
        _org(),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("task_id", sa.String(length=40), nullable=False),
        sa.Column("probabilities", Sealed("predictions", "probabilities"), nullable=False),
        _at("created_at"), _at("updated_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", name="uq_predictions_task"),
    )
    op.create_index("ix_predictions_project", "predictions",
                    ["org_id", "project_id", "task_id"])
    op.create_table(
        "embeddings",
        sa.Column("task_id", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        _org(),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", Sealed("embeddings", "vector", "text"), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("task_id", "model"),
    )
    op.create_index("ix_embeddings_project", "embeddings", ["org_id", "project_id", "model"])
    op.create_index("ix_embeddings_hash", "embeddings", ["org_id", "model", "content_hash"])
    op.create_table(
        "suspects",
        sa.Column("id", sa.String(length=40), nullable=False),
        _org(),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("task_id", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("label_before", Sealed("suspects", "label_before"), nullable=True),
        _at("sent_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_suspects_project", "suspects", ["org_id", "project_id", "task_id"])


def downgrade() -> None:
    op.drop_index("ix_suspects_project", table_name="suspects")
    op.drop_table("suspects")
    op.drop_index("ix_embeddings_hash", table_name="embeddings")
    op.drop_index("ix_embeddings_project", table_name="embeddings")
    op.drop_table("embeddings")
    op.drop_index("ix_predictions_project", table_name="predictions")
    op.drop_table("predictions")
    op.drop_index("ix_duplicate_pairs_task_b", table_name="duplicate_pairs")
    op.drop_index("ix_duplicate_pairs_task_a", table_name="duplicate_pairs")
    op.drop_index("ix_duplicate_pairs_run", table_name="duplicate_pairs")
    op.drop_table("duplicate_pairs")
    op.drop_index("ix_curation_runs_project", table_name="curation_runs")
    op.drop_table("curation_runs")
    op.drop_column("projects", "curation")
