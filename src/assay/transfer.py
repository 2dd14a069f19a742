"""``assay import`` and ``assay export``: files in and out, from the command line.

These act as the project's organization (the operator running them holds the database).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from assay.accounts.service import Requester
from assay.db.engine import Database
from assay.db.models import Project
from assay.errors import InvalidInput, NotFound
from assay.exports import service as exports
from assay.exports.formats import FORMAT_NAMES
from assay.tasks import imports


def _requester_for(db: Database, project_id: str) -> Requester:
    with db.read() as session:
        org_id = session.scalar(select(Project.org_id).where(Project.id == project_id))
    if org_id is None:
        raise NotFound(f"project {project_id} does not exist")
    return Requester(org_id=org_id)


def import_file(db: Database, file: str, project_id: str, *, partial: bool = False,
                progress: bool = True) -> dict[str, Any]:
    """Import all rows in one transaction: all-or-nothing unless ``partial``. Errors and
    duplicates are reported by line number (:mod:`assay.tasks.imports`)."""
    path = Path(file)
    if not path.exists():
        raise InvalidInput(f"{file}: no such file", {"field": "file"})
    who = _requester_for(db, project_id)
    fmt = "csv" if path.suffix.lower() == ".csv" else "jsonl"

    def run(session: Session) -> dict[str, Any]:
        bar = tqdm(unit=" rows", disable=not progress, file=sys.stderr, desc="import")
        with bar, path.open(encoding="utf-8", newline="") as handle:
            return imports.import_rows(session, who, project_id, imports.rows_of(handle, fmt),
                                       partial=partial, on_chunk=bar.update)

    return db.write(run)


def export_to(db: Database, project_id: str, fmt: str, out: str | None,
              include_responses: bool, parquet: bool = False) -> int:
    """Write the project's export (``jsonl``, ``csv`` or a post-training format; with
    ``parquet`` one Parquet file) to ``out`` or stdout; return how many rows it holds."""
    who = _requester_for(db, project_id)
    count = 0
    post_training = fmt in FORMAT_NAMES
    rows = (exports.iter_post_training_rows(db, who, project_id, fmt) if post_training
            else exports.iter_task_objects(db, who, project_id, include_responses))
    # The first row now: a kind without post-training rows fails before a file is made.
    source = itertools.chain(list(itertools.islice(rows, 1)), rows)

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for obj in source:
            count += 1
            yield obj

    if parquet:
        lines = exports.parquet_lines(counted(), fmt, post_training)
    elif fmt == "csv":
        lines = exports.csv_lines(counted())
    else:
        lines = exports.jsonl_lines(counted())
    if out:
        with open(out, "wb") as handle:
            for chunk in lines:
                handle.write(chunk)
    else:
        for chunk in lines:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
    return count
