"""Encrypted columns: the column type and the hooks that keep plaintext out of the tables.

A :class:`Sealed` column holds ``b"\\x01" + org id + nonce + AES-256-GCM ciphertext`` of the
value's JSON (see ``assay/crypto/envelope.py``). ``db`` may import nothing outside itself, so
the cipher is a *sealer* installed at start-up by :func:`assay.crypto.install` (the app
factory, the CLI and the test suite do it through ``wiring.install``).

Where sealing happens, and why it is hard to forget:

- ORM objects: a ``before_flush`` hook seals every new or changed sealed attribute with the
  key of the row's own ``org_id`` and puts the plaintext back once the row is written.
- Core ``insert``/``update`` statements: the repository calls :func:`seal` itself.
- Anything else reaching a sealed column with a plain value fails loudly
  (:class:`PlaintextWrite`): the column's bind step accepts only sealed bytes.

Reading needs nothing: the column opens the value with the organization named in its
header, whose key binds it (the associated data is org id, table and column), so a value
moved to another organization's key, table or column does not open.
"""

from __future__ import annotations

import weakref
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, LargeBinary, event, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

VERSION = 1
"""The first byte of every sealed value."""


class PlaintextWrite(TypeError):
    """A plain value reached an encrypted column: a code path forgot to seal it."""


class Sealer(Protocol):
    """What ``assay.crypto`` provides: seal in a session, open with the engine's keys."""

    def seal(self, session: Session, org_id: str, table: str, column: str,
             value: Any) -> bytes: ...

    def open(self, dialect: Dialect, table: str, column: str, blob: bytes) -> Any:
        """The value of a sealed blob read on an engine of ``dialect`` (:func:`engine_of`
        finds the engine, for the key's row, when the key is not cached)."""
        ...

    def encrypt_existing(self, conn: Connection, columns: list[tuple[str, str, bool]]) -> int:
        ...

    def unreadable_keys(self, conn: Connection) -> list[str]: ...


_sealer: Sealer | None = None


def install(sealer: Sealer) -> None:
    global _sealer
    _sealer = sealer


def sealer() -> Sealer:
    if _sealer is None:
        raise RuntimeError("encryption at rest is not set up: call assay.crypto.install()")
    return _sealer


def register_engine(engine: Engine) -> None:
    """Let sealed columns of this engine's results find the engine (and so its keys)."""
    engine.dialect.assay_engine = weakref.ref(engine)  # type: ignore[attr-defined]


def engine_of(dialect: Dialect) -> Engine:
    ref = getattr(dialect, "assay_engine", None)
    engine = ref() if ref is not None else None
    if engine is None:
        raise RuntimeError("a sealed column was read on an engine that Database did not make")
    assert isinstance(engine, Engine)
    return engine


def seal(session: Session, org_id: str, table: str, column: str, value: Any) -> bytes | None:
    """The stored form of ``value`` (None stays None) under the organization's data key."""
    if value is None:
        return None
    return sealer().seal(session, org_id, table, column, value)


_VERSION_BYTE = bytes([VERSION])


def is_sealed(value: object) -> bool:
    return isinstance(value, bytes) and value[:1] == _VERSION_BYTE


class _SQLiteDeclared(UserDefinedType[Any]):
    """SQLite keeps the column's declared type (``JSON`` or ``TEXT``: the schema is unchanged)
    and holds the sealed BLOB in it, which SQLite never converts; values pass untouched."""

    cache_ok = True

    def __init__(self, declared: str) -> None:
        self.declared = declared

    def get_col_spec(self, **_: Any) -> str:
        return self.declared


class Sealed(TypeDecorator[Any]):
    """An encrypted JSON value (a str is JSON too) of ``table.column``.

    PostgreSQL stores ``bytea``; SQLite keeps the column's declared type (``JSON`` or
    ``TEXT``) and stores a BLOB in it, which SQLite never converts.
    """

    impl = LargeBinary
    cache_ok = True

    def __init__(self, table: str, column: str, declared: str = "json") -> None:
        super().__init__()
        self.table = table
        self.column = column
        self.declared = declared

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return _SQLiteDeclared("JSON" if self.declared == "json" else "TEXT")
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or is_sealed(value):
            return value
        raise PlaintextWrite(f"{self.table}.{self.column} is encrypted: seal the value with "
                             "its organization's key before writing it")

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, memoryview):
            value = bytes(value)
        if not is_sealed(value):
            raise PlaintextWrite(f"{self.table}.{self.column} holds a value that is not "
                                 "sealed: run `assay db upgrade` with the master key")
        return sealer().open(dialect, self.table, self.column, value)


def sealed_columns(obj: object) -> list[str]:
    """The attribute names of the sealed columns of a mapped object's table."""
    table = getattr(type(obj), "__table__", None)
    if table is None:
        return []
    cached = _COLUMNS.get(table.name)
    if cached is None:
        mapper = type(obj).__mapper__  # type: ignore[attr-defined]
        cached = [prop.key for prop in mapper.column_attrs
                  if isinstance(prop.columns[0].type, Sealed)]
        _COLUMNS[table.name] = cached
    return cached


_COLUMNS: dict[str, list[str]] = {}


@event.listens_for(Session, "before_flush")
def _seal_before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    restore: list[tuple[object, str, Any]] = []
    for obj in list(session.new) + list(session.dirty):
        columns = sealed_columns(obj)
        if not columns:
            continue
        state = obj.__dict__
        for key in columns:
            if key not in state:
                continue
            value = state[key]
            if value is None or is_sealed(value):
                continue
            if obj not in session.new and not inspect(obj).attrs[key].history.has_changes():
                continue
            table = type(obj).__table__.name
            column = type(obj).__mapper__.columns[key].name
            org_id = getattr(obj, "org_id", None)
            if not org_id:
                raise PlaintextWrite(f"{table}.{column}: the row has no organization")
            setattr(obj, key, seal(session, org_id, table, column, value))
            restore.append((obj, key, value))
    if restore:
        session.info.setdefault("assay_unsealed", []).extend(restore)


@event.listens_for(Session, "after_flush_postexec")
def _restore_after_flush(session: Session, _flush: UOWTransaction) -> None:
    for obj, key, value in session.info.pop("assay_unsealed", []):
        set_committed_value(obj, key, value)
