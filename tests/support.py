"""Test support: fresh databases, a real server in a subprocess, accounts."""

from __future__ import annotations

import ctypes
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from assay.accounts import service as accounts
from assay.app import create_app
from assay.client import Client, WorkerClient
from assay.clock import ManualClock
from assay.db.engine import Database
from assay.settings import Settings

PG_ADMIN_URL = os.environ.get("ASSAY_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("ASSAY_REQUIRE_POSTGRES", "") == "1"

TEST_ENV = {
    "ASSAY_ALLOWED_CALLBACK_HOSTS": "127.0.0.1,localhost",
    "ASSAY_ALLOWED_MODEL_HOSTS": "127.0.0.1",
    "ASSAY_CALLBACK_BACKOFF_S": "0.2,0.4,0.6",
    "ASSAY_CALLBACK_TIMEOUT_S": "3",
    "ASSAY_JOB_POLL_S": "0.1",
    "ASSAY_EXPIRY_SWEEP_S": "0.5",
    "ASSAY_REFIT_S": "0.5",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def postgres_available() -> bool:
    try:
        pg_admin("SELECT 1")
    except Exception:
        return False
    return True


def new_pg_database(template: str) -> str:
    name = f"assay_t_{uuid.uuid4().hex[:12]}"
    pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def drop_pg_database(name: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_ready(url: str, timeout: float = 30.0,
               check_alive: Callable[[], None] | None = None) -> None:
    """Poll ``url``/readyz until it answers 200; ``check_alive`` raises if the server died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check_alive is not None:
            check_alive()
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not become ready")


class InProcessServer:
    """The app in this process (uvicorn in a thread) with a clock and random source the
    test controls: time-dependent rules (leases, back-off, idle sessions) and draws are
    tested without sleeping or luck. Everything else is the app as ``assay serve`` builds
    it; the job runner is off."""

    def __init__(self, db_url: str, clock: ManualClock, env: dict[str, str] | None = None,
                 rng: random.Random | None = None) -> None:
        settings = Settings.from_env({**TEST_ENV, "ASSAY_DATABASE_URL": db_url,
                                      "ASSAY_RUN_JOBS": "0", **(env or {})})
        self.port = free_port()
        app = create_app(settings, clock=clock, rng=rng)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> InProcessServer:
        self.thread.start()
        wait_ready(self.url)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM when the test process dies, so a test run
    that is killed (a timeout, Ctrl+C twice) leaves no server behind running its timers."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the fixture's own stop() still applies
        pass


class ServerProcess:
    """``assay serve`` in a subprocess on a free loopback port."""

    def __init__(self, db_url: str, env: dict[str, str] | None = None,
                 log_path: Path | None = None, args: list[str] | None = None) -> None:
        self.db_url = db_url
        self.args = args or []  # more `assay serve` options, e.g. --no-jobs
        self.env = {**os.environ, **TEST_ENV, **(env or {})}
        self.log_path = log_path
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> ServerProcess:
        # The deadline only ends a hang: 30 s was too short at a load average of 40.
        self.port = free_port()
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assay.cli", "serve", "--db", self.db_url,
             "--port", str(self.port), *self.args],
            env=self.env, stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        proc = self.proc

        def check_alive() -> None:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")

        wait_ready(self.url, timeout, check_alive)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush — what a crash looks like."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Org:
    url: str
    db: Database
    org_id: str
    api_key: str
    webhook_secret: str
    client: Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = Client(self.url, self.api_key)

    def worker(self, email: str | None = None, crowd: bool = False) -> WorkerClient:
        email = email or f"w-{uuid.uuid4().hex[:10]}@example.com"
        _, token = self.db.write(
            lambda s: accounts.create_worker(s, email, None if crowd else self.org_id))
        return WorkerClient(self.url, token)

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30,
                            headers={"Authorization": f"Bearer {self.api_key}"})


def make_org(url: str, db: Database, name: str = "Acme") -> Org:
    created = db.write(lambda s: accounts.create_org(s, name))
    return Org(url, db, created.org_id, created.api_key, created.webhook_secret)


def categorize_project(org: Org, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "sentiment", "kind": "categorize",
                            "params": {"labels": ["pos", "neg", "neu"]},
                            "quality": {"overlap": 1}}
    body.update(overrides)
    return org.client.create_project(**body)
