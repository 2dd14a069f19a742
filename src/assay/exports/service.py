"""Streaming exports: one consistent snapshot, read in chunks, memory flat.

Task objects go out as JSON lines or CSV; the post-training formats (``sft``, ``dpo``, …)
are compiled from the same snapshot by :mod:`assay.exports.posttraining`; either may be
written as one Parquet file instead (:mod:`assay.exports.parquet`).

The rows are read inside one read transaction (a snapshot: ``REPEATABLE READ`` on
PostgreSQL, a WAL read transaction on SQLite) with keyset pagination by id, so neither the
database cursor nor this process ever holds more than one chunk.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from assay.accounts.service import Requester
from assay.conversations import service as conversations
from assay.db.engine import Database
from assay.db.jsoncodec import dumps_json
from assay.errors import field_error
from assay.exports.cells import spreadsheet_safe
from assay.exports.formats import parquet_schemas
from assay.exports.posttraining import KINDS, compile_rows, judged_turns
from assay.projects import service as projects
from assay.tasks import service as tasks

if TYPE_CHECKING:
    import pyarrow as pa

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


def iter_post_training_rows(db: Database, who: Requester, project_id: str,
                            fmt: str) -> Iterator[dict[str, Any]]:
    """The rows of post-training format ``fmt`` for the project's completed tasks, from one
    snapshot. Raises ``NotFound`` or ``InvalidInput`` (a kind without preferences or scores)
    at the first ``next()``."""
    with db.read() as session:
        project = projects.get_project(session, who, project_id)
        if project.kind not in KINDS:
            raise field_error("format", f"{fmt} needs a project of kind "
                              f"{', '.join(KINDS)}; this project's kind is {project.kind}")
        min_share = float((project.quality or {}).get("target_confidence") or 0.0)
        objects = tasks.iter_project_task_objects(session, who.org_id, project_id, True, CHUNK)
        turns = judged_turns(project.kind, project.params, objects, sources=lambda batch: (
            conversations.sources_of_tasks(session, who.org_id, [t["id"] for t in batch])))
        yield from compile_rows(fmt, turns, min_share)


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


@cache
def task_schema() -> pa.Schema:
    """The Arrow schema of a Parquet file of tasks: :func:`task_columns`' columns."""
    import pyarrow as pa  # on the first Parquet file: a server starts without pyarrow

    return pa.schema([("id", pa.string()), ("status", pa.string()),
                      ("unique_id", pa.string()), ("data", pa.string()),
                      ("metadata", pa.string()), ("answer", pa.string()),
                      ("confidence", pa.float64()), ("method", pa.string()),
                      ("n_responses", pa.int64()), ("responses", pa.string())])


def parquet_lines(rows: Iterator[dict[str, Any]], fmt: str,
                  post_training: bool) -> Iterator[bytes]:
    """One Parquet file of task objects, or of the rows of post-training format ``fmt``."""
    from assay.exports.parquet import parquet_blocks

    if post_training:
        return parquet_blocks(rows, parquet_schemas()[fmt])
    return parquet_blocks(task_columns(rows), task_schema())


def task_columns(objects: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Task objects as the columns of :func:`task_schema`: the CSV's columns (structured
    values JSON-encoded, nothing escaped for spreadsheets), and the responses when asked."""
    for obj in objects:
        result = obj["result"] or {}
        yield {"id": obj["id"], "status": obj["status"], "unique_id": obj["unique_id"],
               "data": _dump(obj["data"]), "metadata": _dump(obj["metadata"]),
               "answer": _dump(result.get("answer")) if obj["result"] else None,
               "confidence": result.get("confidence"), "method": result.get("method"),
               "n_responses": result.get("n_responses"),
               "responses": _dump(obj["responses"]) if "responses" in obj else None}
