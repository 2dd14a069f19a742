"""``assay import`` and ``assay export``: files in and out, from the command line.

These act as the project's organization (the operator running them holds the database).
"""

from __future__ import annotations

import csv
import json
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
from assay.tasks import service as tasks
from assay.tasks.schemas import BulkCreate

TASK_KEYS = ("unique_id", "metadata", "priority", "callback_url", "batch")
CHUNK = 1000


def _requester_for(db: Database, project_id: str) -> Requester:
    with db.read() as session:
        org_id = session.scalar(select(Project.org_id).where(Project.id == project_id))
    if org_id is None:
        raise NotFound(f"project {project_id} does not exist")
    return Requester(org_id=org_id)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield line_no, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"line {line_no}: not valid JSON ({exc.msg})",
                                   {"line": line_no}) from exc


def _csv_value(key: str, value: str, line_no: int) -> Any:
    if key in ("data", "metadata"):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"line {line_no}: column {key} is not valid JSON",
                               {"line": line_no, "field": key}) from exc
    if key == "priority":
        try:
            return int(value)
        except ValueError as exc:
            raise InvalidInput(f"line {line_no}: column priority is not an integer",
                               {"line": line_no, "field": key}) from exc
    return value


def _csv_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """A ``data`` column holds JSON; otherwise every column that is not a task field
    becomes a string field of ``data`` (``text,unique_id`` → ``{"text": …}``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            line_no = reader.line_num
            item: dict[str, Any] = {}
            data: dict[str, Any] = {}
            for key, value in row.items():
                if key is None:
                    raise InvalidInput(f"line {line_no}: more values than columns",
                                       {"line": line_no})
                if key == "data" or key in TASK_KEYS:
                    if value != "":
                        item[key] = _csv_value(key, value, line_no)
                else:
                    data[key] = value
            item.setdefault("data", data)
            yield line_no, item


def import_file(db: Database, file: str, project_id: str, *, partial: bool = False,
                progress: bool = True) -> dict[str, Any]:
    """Import all rows in one transaction: all-or-nothing unless ``partial``. Errors and
    duplicates are reported by line number."""
    path = Path(file)
    if not path.exists():
        raise InvalidInput(f"{file}: no such file", {"field": "file"})
    who = _requester_for(db, project_id)
    reader = _csv_rows if path.suffix.lower() == ".csv" else _jsonl_rows

    def run(session: Session) -> dict[str, Any]:
        summary: dict[str, Any] = {"created": 0, "duplicates": [], "errors": []}
        chunk: list[tuple[int, Any]] = []
        bar = tqdm(unit=" rows", disable=not progress, file=sys.stderr, desc="import")

        def flush() -> None:
            body = BulkCreate(project=project_id, tasks=[row for _, row in chunk],
                              partial=True)
            result = tasks.bulk_create(session, who, body, ())
            lines = [line for line, _ in chunk]
            summary["created"] += result["created"]
            summary["duplicates"] += [{"line": lines[d["index"]], "task_id": d["task_id"]}
                                      for d in result["duplicates"]]
            summary["errors"] += [{"line": lines[e["index"]], "code": e["code"],
                                   "message": e["message"]} for e in result["errors"]]
            bar.update(len(chunk))
            chunk.clear()

        with bar:
            for line_no, row in reader(path):
                chunk.append((line_no, row))
                if len(chunk) >= CHUNK:
                    flush()
            if chunk:
                flush()
        if summary["errors"] and not partial:
            first = summary["errors"][0]
            raise InvalidInput(f"{len(summary['errors'])} invalid rows; nothing was imported "
                               f"(line {first['line']}: {first['message']})",
                               {"errors": summary["errors"][:100]})
        return summary

    return db.write(run)


def export_to(db: Database, project_id: str, fmt: str, out: str | None,
              include_responses: bool) -> int:
    who = _requester_for(db, project_id)
    count = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for obj in exports.iter_task_objects(db, who, project_id, include_responses):
            count += 1
            yield obj

    lines = exports.csv_lines(counted()) if fmt == "csv" else exports.jsonl_lines(counted())
    if out:
        with open(out, "wb") as handle:
            for chunk in lines:
                handle.write(chunk)
    else:
        for chunk in lines:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
    return count
