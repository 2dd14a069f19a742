"""The database refuses a status that db/statuses.py does not list, whoever writes it
(CHECK constraints on PostgreSQL, triggers on SQLite), and takes every one it does."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from assay.clock import utcnow
from assay.db.engine import Database
from assay.db.statuses import CHECKED_COLUMNS
from assay.quality.service import standing_for
from tests.support import Org, categorize_project


@pytest.fixture(scope="module")
def rows(org: Org) -> dict[str, str]:
    project = categorize_project(org)
    batch = org.client.create_batch(project["id"], "b1")
    task = org.client.create_task(project["id"], {"text": "x"})
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker_id = worker.me()["worker_id"]
    where = SimpleNamespace(org_id=org.org_id, id=project["id"])
    org.db.write(lambda s: standing_for(s, where, worker_id, utcnow()))
    return {"tasks": task["id"], "batches": batch["id"], "assignments": offer["assignment_id"],
            "project_workers": worker_id}


def _set(db: Database, table: str, column: str, row_id: str, value: str | None) -> None:
    key = "worker_id" if table == "project_workers" else "id"
    with db.engine.connect() as conn, conn.begin() as tx:
        try:
            changed = conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE {key} = :k"),
                                   {"v": value, "k": row_id}).rowcount
            assert changed >= 1
        finally:
            tx.rollback()


@pytest.mark.parametrize(("table", "column", "enum", "nullable"), CHECKED_COLUMNS,
                         ids=[f"{t}.{c}" for t, c, _, _ in CHECKED_COLUMNS])
def test_every_listed_status_is_stored_and_no_other(db: Database, rows: dict[str, str],
                                                    table: str, column: str, enum: type,
                                                    nullable: bool) -> None:
    for member in enum:
        _set(db, table, column, rows[table], member.value)
    if nullable:
        _set(db, table, column, rows[table], None)
    with pytest.raises(IntegrityError):
        _set(db, table, column, rows[table], "bogus")
