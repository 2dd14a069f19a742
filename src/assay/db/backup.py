"""``assay db backup`` / ``assay db restore``: a consistent, portable copy of the database.

The copy is read in one read transaction — SQLite's WAL snapshot, PostgreSQL's ``REPEATABLE
READ`` — so it is consistent while servers keep writing, and it is written in a format of
our own that restores into either database (a SQLite file's copy into PostgreSQL, and back):

    gzip( JSON lines )
      {"format": "assay-backup", "version": 1, "schema": "<alembic revision>",
       "source": "sqlite" | "postgresql", "created_at": "…Z", "tables": [names]}
      {"table": "<name>", "columns": ["id", …]}      then one JSON array per row
      …                                               (tables parents first)
      {"end": true, "rows": {"<table>": n, …}}        written last: a copy without it is cut

Values are JSON as the columns hold them, except timestamps (ISO 8601, UTC), decimals
(strings) and bytes (base64). Rows are streamed both ways, so memory stays flat however
large the database. The file is written next to its name and renamed when complete, with
mode 0600 (it holds every organization's data, as stored: the encrypted columns as their
ciphertext, the data keys wrapped). A restore therefore needs the master key the backup was
written with (and customer-held keys where organizations have them): it checks that every
data key unwraps, and restores nothing when one does not.

A restore needs the backup's schema to be this Assay's (``assay db upgrade`` the source,
then back it up, to carry an older one over). It creates the schema in a new or empty
database and refuses one that holds any row unless ``force``, which replaces every row; the
rows are written in one transaction, so a restore that fails leaves the tables as they were.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Integer,
    LargeBinary,
    Numeric,
    Table,
    Text,
    cast,
    delete,
    func,
    inspect,
    null,
    select,
    text,
    type_coerce,
)
from sqlalchemy.types import DateTime, TypeDecorator

from assay.db.engine import Database
from assay.db.migrate import upgrade
from assay.db.models import Base
from assay.db.sealing import Sealed, sealer

FORMAT = "assay-backup"
VERSION = 1
BATCH = 1_000


class BackupError(Exception):
    """A backup or restore that cannot go on; ``status`` is the command's exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Summary:
    schema: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def schema_head() -> str:
    """The schema revision this Assay runs on."""
    from alembic.script import ScriptDirectory

    from assay.db.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return ",".join(sorted(heads))


def _revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) if heads else None


def _same(value: Any) -> Any:
    return value


def none_or(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else fn(value)


def _codec(column: Column[Any]) -> tuple[Any, Callable[[Any], Any], Callable[[Any], Any]]:
    """How a column is read for the copy, and its values go into JSON and come back.

    JSON columns travel as their JSON text: a SQL NULL (``None``) and a JSON ``null``
    (``"null"``) are different values there, and both come back as they were.
    """
    if isinstance(column.type, Sealed):
        # Copied as stored: the ciphertext, never the plaintext.
        return (type_coerce(column, LargeBinary()),
                none_or(lambda v: base64.b64encode(v).decode("ascii")),
                none_or(base64.b64decode))
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type

    if isinstance(kind, JSON):
        return cast(column, Text), _same, _json_value
    if isinstance(kind, DateTime):
        return (column, none_or(lambda v: v.astimezone(UTC).isoformat()),
                none_or(datetime.fromisoformat))
    if isinstance(kind, Numeric) and kind.asdecimal:
        return column, none_or(str), none_or(Decimal)
    if isinstance(kind, LargeBinary):
        return (column, none_or(lambda v: base64.b64encode(v).decode("ascii")),
                none_or(base64.b64decode))
    return column, _same, _same


def _json_value(raw: str | None) -> Any:
    if raw is None:
        return null()  # SQL NULL
    value = json.loads(raw)
    return JSON.NULL if value is None else value  # JSON null


def backup(db: Database, path: Path) -> Summary:
    """Write a consistent copy of every table to ``path`` (see the module docstring)."""
    head = schema_head()
    current = _revision(db)
    if current != head:
        raise BackupError(f"the database schema is {current or 'empty'}, not this Assay's "
                          f"{head}: run `assay db upgrade` first")
    tables = Base.metadata.sorted_tables
    rows: dict[str, int] = {}
    partial = path.with_name(f".{path.name}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb",
                                                        compresslevel=6) as packed:
            out = _Lines(packed)
            out.write({"format": FORMAT, "version": VERSION, "schema": head,
                       "source": db.dialect,
                       "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                       "tables": [t.name for t in tables]})
            with db.read() as session:
                connection = session.connection()
                for table in tables:
                    columns = list(table.columns)
                    codecs = [_codec(c) for c in columns]
                    encoders = [codec[1] for codec in codecs]
                    out.write({"table": table.name, "columns": [c.name for c in columns]})
                    count = 0
                    ordered = (select(*(codec[0] for codec in codecs))
                               .order_by(*table.primary_key.columns))
                    result = connection.execution_options(yield_per=BATCH).execute(ordered)
                    for row in result:
                        out.write([encode(value) for encode, value in
                                   zip(encoders, row, strict=True)])
                        count += 1
                    rows[table.name] = count
            out.write({"end": True, "rows": rows})
            out.flush()
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Summary(head, rows)


class _Lines:
    """JSON lines into a binary stream, buffered."""

    def __init__(self, stream: gzip.GzipFile) -> None:
        self.stream = stream
        self.buffer: list[str] = []

    def write(self, item: Any) -> None:
        self.buffer.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.stream.write(("\n".join(self.buffer) + "\n").encode("utf-8"))
            self.buffer.clear()


def read_header(path: Path) -> dict[str, Any]:
    """The backup's first line, checked."""
    with _open(path) as lines:
        return _header(path, lines)


def _open(path: Path) -> Any:
    if not path.is_file():
        raise BackupError(f"{path}: no such file", 2)
    return gzip.open(path, "rt", encoding="utf-8")


def _header(path: Path, lines: Iterator[str]) -> dict[str, Any]:
    try:
        header = json.loads(next(lines))
    except (OSError, EOFError, StopIteration, ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path}: not an Assay backup ({exc})", 2) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path}: not an Assay backup", 2)
    if header.get("version") != VERSION:
        raise BackupError(f"{path}: backup format version {header.get('version')} is not "
                          f"{VERSION}", 2)
    head = schema_head()
    if header.get("schema") != head:
        raise BackupError(f"{path}: the backup's schema is {header.get('schema')}, this "
                          f"Assay's is {head}: restore it with the Assay that wrote it, or "
                          "upgrade the source and back it up again", 2)
    return header


def occupied_tables(db: Database) -> list[str]:
    """Assay's tables that hold at least one row."""
    present = set(inspect(db.engine).get_table_names())
    found = []
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in present and conn.scalar(select(1).select_from(table).limit(1)):
                found.append(table.name)
    return found


def restore(db_url: str, path: Path, force: bool = False) -> Summary:
    """Load a backup into the database at ``db_url`` (created if new); see the module
    docstring for what it refuses."""
    header = read_header(path)
    db = Database(db_url)
    try:
        occupied = occupied_tables(db)
        if occupied and not force:
            raise BackupError(
                f"the database is not empty ({', '.join(occupied[:5])}"
                f"{', …' if len(occupied) > 5 else ''} hold rows): restore into a new or "
                "empty database, or pass --force to replace every row", 2)
    finally:
        db.dispose()
    upgrade(db_url)
    db = Database(db_url)
    try:
        rows = db.write(lambda session: _load(session.connection(), path, bool(occupied)),
                        attempts=1)
    finally:
        db.dispose()
    return Summary(str(header["schema"]), rows)


def _load(connection: Any, path: Path, wipe: bool) -> dict[str, int]:
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    if wipe:
        for each in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(each))
    rows: dict[str, int] = {}
    table: Table | None = None
    names: list[str] = []
    decoders: list[Callable[[Any], Any]] = []
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if batch and table is not None:
            connection.execute(table.insert(), batch)
            batch.clear()

    with _open(path) as lines:
        _header(path, lines)
        try:
            for line in lines:
                item = json.loads(line)
                if isinstance(item, list):
                    if table is None:
                        raise BackupError(f"{path}: a row before any table", 2)
                    batch.append({n: d(v) for n, d, v in zip(names, decoders, item, strict=True)})
                    rows[table.name] += 1
                    if len(batch) >= BATCH:
                        flush()
                elif "table" in item:
                    flush()
                    table = tables.get(item["table"])
                    if table is None:
                        raise BackupError(f"{path}: unknown table {item['table']!r}", 2)
                    names = list(item["columns"])
                    decoders = [_codec(table.columns[n])[2] for n in names]
                    rows[table.name] = 0
                elif item.get("end"):
                    flush()
                    if item.get("rows") != rows:
                        raise BackupError(f"{path}: the row counts do not match its trailer", 2)
                    _advance_sequences(connection, tables.values())
                    _check_keys(connection)
                    return rows
        except (OSError, EOFError, ValueError, KeyError) as exc:
            raise BackupError(f"{path}: damaged backup ({exc})", 2) from None
    raise BackupError(f"{path}: the backup is cut short (no end marker)", 2)


def _check_keys(connection: Any) -> None:
    """The restored data keys must unwrap with this process's master key (or their
    customer-held keys): a restore with another master key would hold only unreadable rows."""
    problems = sealer().unreadable_keys(connection)
    if problems:
        raise BackupError(f"the backup's data keys do not unwrap with the keys configured "
                          f"here ({problems[0]}{'; …' if len(problems) > 1 else ''}): restore "
                          "with the master key the backup was written with; nothing was "
                          "restored")


def _advance_sequences(connection: Any, tables: Any) -> None:
    """PostgreSQL: integer keys given explicitly leave their sequence behind; move it on."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer) and column.autoincrement is True:
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, :c), "
                         f"GREATEST(COALESCE((SELECT max({column.name}) FROM {table.name}), 0), "
                         "1), (SELECT count(*) > 0 FROM " + table.name + "))"),
                    {"t": table.name, "c": column.name})


def count_rows(db: Database) -> dict[str, int]:
    """Rows in each of Assay's tables (for checks and tests)."""
    with db.read() as session:
        return {t.name: int(session.scalar(select(func.count()).select_from(t)) or 0)
                for t in Base.metadata.sorted_tables}
