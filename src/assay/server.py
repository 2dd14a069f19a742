"""Running the server: schema check, then uvicorn."""

from __future__ import annotations

import logging
import sys

import uvicorn

from assay.app import create_app
from assay.db.engine import Database
from assay.db.migrate import is_current, upgrade
from assay.settings import Settings


class SchemaNotCurrent(RuntimeError):
    pass


def prepare_database(settings: Settings) -> Database:
    """SQLite is brought to the current schema; PostgreSQL must be migrated explicitly
    (``assay db upgrade``), since several servers may share it."""
    if settings.database_url.startswith("sqlite"):
        upgrade(settings.database_url)
    db = Database(settings.database_url)
    if not is_current(db.engine):
        db.dispose()
        raise SchemaNotCurrent("the database schema is not current: run `assay db upgrade`")
    return db


def serve(settings: Settings, host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Requests share one process and its GIL; a short switch interval keeps a thread that
    # holds the database write lock from waiting 5 ms behind others for the interpreter.
    sys.setswitchinterval(0.0005)
    db = prepare_database(settings)
    app = create_app(settings, db)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=5)
