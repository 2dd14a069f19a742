"""why an evaluation failed: the job step that failed as a whole and its error

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05

One nullable JSON column on ``evaluations`` (``op.add_column``: no rebuild of the SQLite
table): ``{"step": "generate" | "judge", "error": "...", "at": "..."}`` while the evaluation's
status is ``failed`` (a job that raised instead of storing its chunk); null otherwise.
``POST /v1/evaluations/{id}/retry`` clears it (docs/evaluations.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assay.db.types import JSONType

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("evaluations", sa.Column("failure", JSONType, nullable=True))


def downgrade() -> None:
    op.drop_column("evaluations", "failure")
