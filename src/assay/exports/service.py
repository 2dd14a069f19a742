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

from sqlalchemy import select

from assay.accounts.service import Requester
from assay.db.engine import Database
from assay.db.jsoncodec import dumps_json
from assay.db.models import Task
from assay.projects import service as projects
from assay.tasks import repository
from assay.tasks.objects import task_object

CSV_COLUMNS = ("id", "status", "unique_id", "data", "metadata", "answer", "confidence",
               "method", "n_responses")
CHUNK = 1000


def _dump(value: Any) -> str:
    return dumps_json(value)


# Only the columns of the task object, as plain rows: no ORM identity map over a large export.
_COLUMNS = (Task.id, Task.project_id, Task.batch_id, Task.status, Task.data,
            Task.meta.label("meta"), Task.unique_id, Task.priority, Task.result,
            Task.created_at, Task.updated_at, Task.completed_at, Task.callback_url,
            Task.callback_succeeded, Task.review_status)


def iter_task_objects(db: Database, who: Requester, project_id: str,
                      include_responses: bool) -> Iterator[dict[str, Any]]:
    """Every task of the project, oldest first, from one snapshot. Raises ``NotFound`` at
    the first ``next()`` if the project is not the organization's."""
    with db.read() as session:
        projects.get_project(session, who, project_id)
        after = ""
        while True:
            tasks = session.connection().execute(
                select(*_COLUMNS).where(Task.org_id == who.org_id,
                                        Task.project_id == project_id, Task.id > after,
                                        Task.purpose == "live")
                .order_by(Task.id).limit(CHUNK)
            ).all()
            if not tasks:
                return
            responses = (repository.list_counted_responses(session, who.org_id,
                                                           [t.id for t in tasks])
                         if include_responses else None)
            for task in tasks:
                yield task_object(task, responses.get(task.id, []) if responses is not None
                                  else None)
            after = tasks[-1].id


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
    writer.writerow(CSV_COLUMNS)
    for n, obj in enumerate(objects):
        result = obj["result"] or {}
        writer.writerow([
            obj["id"], obj["status"], obj["unique_id"] or "", _dump(obj["data"]),
            _dump(obj["metadata"]),
            _dump(result.get("answer")) if obj["result"] else "",
            "" if result.get("confidence") is None else result["confidence"],
            result.get("method", ""), result.get("n_responses", ""),
        ])
        if n % 200 == 199:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode()
