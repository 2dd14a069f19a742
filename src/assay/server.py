"""Running the server: schema check, then uvicorn (one process, or several workers)."""

from __future__ import annotations

import logging
import os
import sys

import uvicorn
from fastapi import FastAPI

from assay.app import create_app
from assay.db.durability import durability_warnings
from assay.db.engine import Database
from assay.db.migrate import is_current, upgrade
from assay.settings import Settings

log = logging.getLogger("assay")


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
    for warning in durability_warnings(db.engine):
        log.warning(warning)
    return db


def _tune_interpreter() -> None:
    # Requests share one process and its GIL; a short switch interval keeps a thread that
    # holds the database write lock from waiting 5 ms behind others for the interpreter.
    sys.setswitchinterval(0.0005)


def app_from_env() -> FastAPI:
    """The app of one worker process when ``--workers`` > 1 (settings from the environment,
    which the parent filled in)."""
    _tune_interpreter()
    return create_app(Settings.from_env())


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    db = prepare_database(settings)
    if workers > 1:
        db.dispose()
        os.environ["ASSAY_DATABASE_URL"] = settings.database_url
        uvicorn.run("assay.server:app_from_env", factory=True, workers=workers, host=host,
                    port=port, log_level="warning", access_log=False,
                    timeout_graceful_shutdown=5)
        return
    _tune_interpreter()
    uvicorn.run(create_app(settings, db), host=host, port=port, log_level="warning",
                access_log=False, timeout_graceful_shutdown=5)
