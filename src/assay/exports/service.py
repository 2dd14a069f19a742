"""Streaming exports: one consistent snapshot, read in chunks, memory flat.

The rows are read inside one read transaction (a snapshot: ``REPEATABLE READ`` on
PostgreSQL, a WAL read transaction on SQLite) with keyset pagination by id, so neither the
database cursor nor this process ever holds more than one chunk.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from assay.accounts.service import Requester
from assay.db.engine import Database
from assay.db.jsoncodec import dumps_json
from assay.exports.cells import spreadsheet_safe
from assay.projects import service as projects
from assay.tasks import service as tasks

CSV_COLUMNS = ("id", "status", "unique_id", "data", "metadata", "answer", "confidence",
               "method", "n_responses")
CHUNK = 1000


def _dump(value: Any) -> str:
    return dumps_json(value)


def iter_task_objects(db: Database, who: Requester, project_id: str,
                      include_responses: bool) -> Iterator[dict[str, Any]]:
    """Every task of the project, oldest first, from one snapshot. Raises ``NotFound`` at
    the first ``next()`` if the project is not the organization's."""
    with db.read() as session:
        projects.get_project(session, who, project_id)
        yield from tasks.iter_project_task_objects(session, who.org_id, project_id,
                                                   include_responses, CHUNK)


def jsonl_lines(objects: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    buffer: list[bytes] = []
    for obj in objects:
        buffer.append(dumps_json(obj).encode())
        if len(buffer) >= 500:
            yield b"\n".join(buffer) + b"\n"
            buffer.clear()
    if buffer:
        yield b"\n".join(buffer) + b"\n"


def csv_lines(objects: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # With "\n" line ends the writer leaves a bare CR in a cell unquoted, and readers end
    # the row there: such rows are written with every cell quoted.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    for n, obj in enumerate(objects):
        result = obj["result"] or {}
        cells = [spreadsheet_safe(cell) for cell in (
            obj["id"], obj["status"], obj["unique_id"] or "", _dump(obj["data"]),
            _dump(obj["metadata"]),
            _dump(result.get("answer")) if obj["result"] else "",
            "" if result.get("confidence") is None else result["confidence"],
            result.get("method", ""), result.get("n_responses", ""),
        )]
        has_cr = any(isinstance(cell, str) and "\r" in cell for cell in cells)
        (quoted if has_cr else writer).writerow(cells)
        if n % 200 == 199:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode()
