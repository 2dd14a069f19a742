"""Tasks from a file, JSON lines or CSV, imported in one transaction: what ``assay import``
and the console's import page share.

A JSON line is a task as ``POST /v1/tasks/bulk`` takes it (``{"data": …, "unique_id": …}``).
A CSV's ``data`` column holds JSON; otherwise every column that is not a task field becomes
a string field of ``data`` (``text,unique_id`` → ``{"text": …}``). Lines are numbered as
in the file (a CSV's header is line 1); blank JSON lines are skipped.

Rows go to :func:`assay.tasks.service.bulk_create` in chunks within the caller's
transaction. Every bad row is reported with its line (a line that is not JSON too); unless
``partial``, any bad row fails the import and nothing is written.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.errors import InvalidInput
from assay.tasks import service
from assay.tasks.schemas import BulkCreate

TASK_KEYS = ("unique_id", "metadata", "priority", "callback_url", "batch")
CHUNK = 1000
ERRORS_SHOWN = 100


class LineError(Exception):
    """A line that cannot become a task's fields at all (not JSON, a broken CSV row)."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


Row = tuple[int, Any | LineError]


def jsonl_rows(lines: Iterable[str]) -> Iterator[Row]:
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line)
        except json.JSONDecodeError as exc:
            yield line_no, LineError("invalid_json", f"not valid JSON ({exc.msg})")


def _csv_value(key: str, value: str) -> Any:
    if key in ("data", "metadata"):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise LineError("invalid_json", f"column {key} is not valid JSON", key) from exc
    if key == "priority":
        try:
            return int(value)
        except ValueError as exc:
            raise LineError("invalid_input", "column priority is not an integer", key) from exc
    return value


def _csv_item(row: dict[str | None, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            raise LineError("invalid_input", "more values than columns")
        if key == "data" or key in TASK_KEYS:
            if value not in ("", None):
                item[key] = _csv_value(key, value)
        else:
            data[key] = value
    item.setdefault("data", data)
    return item


def csv_rows(lines: Iterable[str]) -> Iterator[Row]:
    reader = csv.DictReader(lines)
    try:
        for row in reader:
            try:
                yield reader.line_num, _csv_item(row)
            except LineError as exc:
                yield reader.line_num, exc
    except csv.Error as exc:
        yield reader.line_num, LineError("invalid_csv", f"not valid CSV ({exc})")


def rows_of(lines: Iterable[str], fmt: str) -> Iterator[Row]:
    """The rows of a file in ``fmt`` (``"csv"``, else JSON lines)."""
    return csv_rows(lines) if fmt == "csv" else jsonl_rows(lines)


def import_rows(session: Session, who: Requester, project_id: str, rows: Iterable[Row], *,
                partial: bool, allowed_hosts: tuple[str, ...] = (),
                on_chunk: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Create the rows' tasks in ``session``'s transaction: ``{"created", "duplicates":
    [{"line", "task_id"}], "errors": [{"line", "code", "message"}]}``. Unless ``partial``,
    a bad row raises :class:`InvalidInput` listing the first errors by line (the caller's
    transaction then writes nothing). ``on_chunk`` is told how many rows each chunk held."""
    summary: dict[str, Any] = {"created": 0, "duplicates": [], "errors": []}
    chunk: list[tuple[int, Any]] = []

    def flush() -> None:
        body = BulkCreate(project=project_id, tasks=[row for _, row in chunk], partial=True)
        result = service.bulk_create(session, who, body, allowed_hosts)
        lines = [line for line, _ in chunk]
        summary["created"] += result["created"]
        summary["duplicates"] += [{"line": lines[d["index"]], "task_id": d["task_id"]}
                                  for d in result["duplicates"]]
        summary["errors"] += [_line_error(lines[e["index"]], e) for e in result["errors"]]
        if on_chunk is not None:
            on_chunk(len(chunk))
        chunk.clear()

    for line_no, row in rows:
        if isinstance(row, LineError):
            summary["errors"].append({"line": line_no, "code": row.code, "message": row.message})
            continue
        chunk.append((line_no, row))
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    summary["errors"].sort(key=lambda e: e["line"])
    if summary["errors"] and not partial:
        first = summary["errors"][0]
        raise InvalidInput(f"{len(summary['errors'])} invalid rows; nothing was imported "
                           f"(line {first['line']}: {first['message']})",
                           {"errors": summary["errors"][:ERRORS_SHOWN],
                            "invalid_rows": len(summary["errors"])})
    return summary


def _line_error(line: int, error: dict[str, Any]) -> dict[str, Any]:
    """A bulk error by index as one by line; its field paths lose the ``tasks[i].``."""
    out = {"line": line, "code": error["code"], "message": error["message"]}
    if error.get("fields"):
        out["fields"] = [{**f, "field": f["field"].split(".", 1)[1] if "." in f["field"]
                          else ""} for f in error["fields"]]
    return out
