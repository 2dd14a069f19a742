"""encryption at rest: organizations' data keys, sealed columns

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

Adds ``org_keys``. PostgreSQL's sealed columns become ``bytea`` (their plaintext kept as its
UTF-8 bytes for the step below); SQLite keeps their declared types (a BLOB stored in a JSON
or TEXT column stays a BLOB), so no table is rebuilt and migration 0012's triggers stay.

Then every plain value is sealed in place under a data key per organization, which needs
the master key (``ASSAY_MASTER_KEY`` / ``ASSAY_MASTER_KEY_FILE`` / the generated
``master.key``): run ``assay db upgrade`` with the key the servers will use. A database with
no organization yet needs no key.

The column list is written out here: a migration keeps meaning what it meant when it ran.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assay.db import sealing
from assay.db.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# (table, column, holds JSON); False: plain text.
SEALED = [
    ("projects", "instructions", False),
    ("tasks", "data", True),
    ("tasks", "result", True),
    ("tasks", "expected_answer", True),
    ("tasks", "explanation", False),
    ("responses", "answer", True),
    ("audits", "answer", True),
    ("reviews", "answer", True),
]


def upgrade() -> None:
    op.create_table(
        "org_keys",
        sa.Column("org_id", sa.String(40), sa.ForeignKey("organizations.id"),
                  primary_key=True),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("wrapped_by", sa.String(10), nullable=False),
        sa.Column("kek_id", sa.String(16), nullable=False),
        sa.Column("key_path", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("rotated_at", UTCDateTime(), nullable=True),
        sa.Column("shredded_at", UTCDateTime(), nullable=True),
    )
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for table, column, holds_json in SEALED:
            source = f"{column}::text" if holds_json else column
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE bytea "
                       f"USING convert_to({source}, 'UTF8')")
    if conn.execute(sa.text("SELECT 1 FROM organizations LIMIT 1")).first() is not None:
        sealing.sealer().encrypt_existing(conn, SEALED)


def downgrade() -> None:
    raise NotImplementedError("encryption at rest cannot be undone by a migration: export "
                              "the data instead")
