"""what each assignment was suggested: the pre-label shown to the worker, or held back

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-05

One nullable sealed column on ``assignments`` (``op.add_column``: no rebuild of the SQLite
table, so the status-check triggers of 0012 stay): ``{"label", "probability", "shown"}``
for an assignment of a task that had an uploaded prediction while the project's
suggestions were on, ``shown`` false when the task is in the held-out control group
(``curation.suggestions_holdout``); null otherwise. The quality report compares the
answers of the two groups (docs/curation.md, "Anchoring").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assay.db.sealing import Sealed

revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assignments", sa.Column("suggestion", Sealed("assignments", "suggestion"),
                                           nullable=True))


def downgrade() -> None:
    op.drop_column("assignments", "suggestion")
