"""Streaming exports: one consistent snapshot, read in chunks, memory flat.

The rows are read inside one read transaction (a snapshot: ``REPEATABLE READ`` on
PostgreSQL, a WAL read transaction on SQLite) with keyset pagination by id, so neither the
database cursor nor this process ever holds more than one chunk.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from assay.accounts.service import Requester
from assay.db.engine import Database
from assay.db.models import Task
from assay.projects import service as projects
from assay.tasks import repository
from assay.tasks.objects import task_object

CSV_COLUMNS = ("id", "status", "unique_id", "data", "metadata", "answer", "confidence",
               "method", "n_responses")
CHUNK = 1000


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def iter_task_objects(db: Database, who: Requester, project_id: str,
                      include_responses: bool) -> Iterator[dict[str, Any]]:
    """Every task of the project, oldest first, from one snapshot. Raises ``NotFound`` at
    the first ``next()`` if the project is not the organization's."""
    with db.read() as session:
        projects.get_project(session, who, project_id)
        after = ""
        while True:
            tasks = list(session.scalars(
                select(Task).where(Task.org_id == who.org_id, Task.project_id == project_id,
                                   Task.id > after)
                .order_by(Task.id).limit(CHUNK)
            ))
            if not tasks:
                return
            responses = (repository.list_counted_responses(session, who.org_id,
                                                           [t.id for t in tasks])
                         if include_responses else None)
            for task in tasks:
                yield task_object(task, responses.get(task.id, []) if responses is not None
                                  else None)
            after = tasks[-1].id
            session.expunge_all()


def jsonl_lines(objects: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    buffer: list[str] = []
    for obj in objects:
        buffer.append(_dump(obj))
        if len(buffer) >= 200:
            yield ("\n".join(buffer) + "\n").encode()
            buffer.clear()
    if buffer:
        yield ("\n".join(buffer) + "\n").encode()


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
