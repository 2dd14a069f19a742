"""Fixtures: every storage-facing test runs on SQLite and on PostgreSQL.

On a machine without PostgreSQL the PostgreSQL half skips, unless
``ASSAY_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), which makes it fail instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from assay import wiring
from assay.db.engine import Database
from assay.db.migrate import upgrade
from assay.models.standin import StandIn
from tests.support import (
    REQUIRE_POSTGRES,
    Org,
    ServerProcess,
    drop_pg_database,
    make_org,
    new_pg_database,
    pg_admin,
    pg_url,
    postgres_available,
)

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="session", autouse=True)
def wired() -> None:
    """Tests that call services directly get the same event wiring as the app and CLI."""
    wiring.install()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    if not postgres_available():
        yield None
        return
    name = f"assay_tpl_{uuid.uuid4().hex[:10]}"
    pg_admin(f'CREATE DATABASE "{name}"')
    upgrade(pg_url(name))
    yield name
    drop_pg_database(name)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, pg_template: str | None) -> str:
    if request.param == "postgres" and pg_template is None:
        if REQUIRE_POSTGRES:
            pytest.fail("PostgreSQL is required (ASSAY_REQUIRE_POSTGRES=1) but unreachable")
        pytest.skip("PostgreSQL is not reachable on this machine")
    return str(request.param)


def _fresh_url(backend: str, pg_template: str | None, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'assay.db'}"
        upgrade(url)
        yield url
        return
    assert pg_template is not None
    name = new_pg_database(pg_template)
    yield pg_url(name)
    drop_pg_database(name)


@pytest.fixture(scope="module")
def db_url(backend: str, pg_template: str | None,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _fresh_url(backend, pg_template, tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="module")
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    log = tmp_path_factory.mktemp("log") / "server.log"
    proc = ServerProcess(db_url, log_path=log).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def org(server: ServerProcess, db: Database) -> Org:
    return make_org(server.url, db, "Acme")


@pytest.fixture(scope="module")
def other_org(server: ServerProcess, db: Database) -> Org:
    return make_org(server.url, db, "Globex")


@pytest.fixture(scope="module")
def model_standin() -> Iterator[StandIn]:
    """A stand-in OpenAI-compatible server on loopback (assay.models.standin: not a
    model; canned replies, switchable slow/failing/refusing modes)."""
    with StandIn() as standin:
        yield standin
