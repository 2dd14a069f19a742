"""Running the server: schema check, then uvicorn (one process, or several workers)."""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import sys
import threading
import time
from datetime import UTC, datetime

import uvicorn
from fastapi import FastAPI

from assay import __version__
from assay.app import create_app
from assay.db.durability import durability_warnings
from assay.db.engine import Database
from assay.db.migrate import is_current, upgrade
from assay.http.request_id import RequestIdFilter
from assay.settings import Settings

log = logging.getLogger("assay")


class SchemaNotCurrent(RuntimeError):
    pass


class PortInUse(RuntimeError):
    pass


def check_port(host: str, port: int) -> None:
    """Refuse a busy address up front, with the way out, instead of uvicorn's bare error."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(f"{host}:{port} is already in use: stop what holds it, or "
                                f"pick another port with --port") from exc
            raise


def _healthy(host: str, port: int) -> bool:
    """Whether the server answers ``GET /healthz`` with 200 (a bare HTTP/1.0 request on a
    socket: an HTTP client library would add a fifth to the start's imports)."""
    try:
        with socket.create_connection((host, port), timeout=1) as conn:
            conn.sendall(f"GET /healthz HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
            return conn.recv(64).split(b" ", 2)[1:2] == [b"200"]
    except (OSError, IndexError):
        return False


def _announce_when_ready(host: str, port: int, url: str, what: str) -> None:
    """Print one line once the server answers (from a daemon thread: any process mode)."""
    def watch() -> None:
        while not _healthy(host, port):
            time.sleep(0.05)
        print(f"Ready: {what} at {url} (API {url}/v1, docs {url}/docs).", flush=True)

    threading.Thread(target=watch, name="assay-ready", daemon=True).start()


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


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``at``, ``level``, ``logger``, ``message``, ``request_id``
    and, for an exception, ``error`` (the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage(), "request_id": getattr(record, "request_id", None)}
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line)


def configure_logging(log_format: str = "text") -> None:
    """Log lines to stderr, each with the request id of the request that wrote it."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(message)s [%(request_id)s]"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _tune_interpreter() -> None:
    # Requests share one process and its GIL; a short switch interval keeps a thread that
    # holds the database write lock from waiting 5 ms behind others for the interpreter.
    sys.setswitchinterval(0.0005)


def app_from_env() -> FastAPI:
    """The app of one worker process when ``--workers`` > 1 (settings from the environment,
    which the parent filled in)."""
    settings = Settings.from_env()
    configure_logging(settings.log_format)
    _tune_interpreter()
    return create_app(settings)


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    configure_logging(settings.log_format)
    check_port(host, port)
    db = prepare_database(settings)
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    processes = f"{workers} API processes" if workers > 1 else "one process"
    print(f"Assay {__version__} starting on {url}: {processes}, jobs "
          f"{'on' if settings.run_jobs else 'off'}, database {_shown(settings.database_url)}",
          flush=True)
    _announce_when_ready(host, port, url, "Assay")
    if workers > 1:
        db.dispose()
        os.environ["ASSAY_DATABASE_URL"] = settings.database_url
        os.environ["ASSAY_RUN_JOBS"] = "1" if settings.run_jobs else "0"  # --no-jobs too
        uvicorn.run("assay.server:app_from_env", factory=True, workers=workers, host=host,
                    port=port, log_level="warning", access_log=False,
                    timeout_graceful_shutdown=5)
        return
    _tune_interpreter()
    uvicorn.run(create_app(settings, db), host=host, port=port, log_level="warning",
                access_log=False, timeout_graceful_shutdown=5)


def _shown(url: str) -> str:
    """A database URL as it may be printed: without its password."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, where = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{where}" if ":" in credentials else url
