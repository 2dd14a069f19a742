"""``assay db backup`` / ``assay db restore``: a consistent copy while writes go on, restored
into a fresh database of either kind; a database that holds rows is refused without
``--force``; a damaged copy restores nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assay.db.backup import count_rows
from assay.db.engine import Database
from tests.support import (
    REQUIRE_POSTGRES,
    Org,
    ServerProcess,
    categorize_project,
    drop_pg_database,
    pg_admin,
    pg_url,
    postgres_available,
)

BULK = 25  # tasks per bulk call: one transaction each


def assay_db(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assay.cli", "db", *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """``fresh_url(kind)``: a database that does not exist yet (SQLite) or has no table."""
    made: list[str] = []

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'restored-{uuid.uuid4().hex[:6]}.db'}"
        if not postgres_available():
            if REQUIRE_POSTGRES:
                pytest.fail("PostgreSQL is required (ASSAY_REQUIRE_POSTGRES=1) but unreachable")
            pytest.skip("PostgreSQL is not reachable on this machine")
        name = f"assay_r_{uuid.uuid4().hex[:12]}"
        pg_admin(f'CREATE DATABASE "{name}"')
        made.append(name)
        return pg_url(name)

    yield make
    for name in made:
        drop_pg_database(name)


def _write_until(org: Org, project_id: str, stop: threading.Event, errors: list[str]) -> None:
    with org.http() as http:
        n = 0
        while not stop.is_set():
            tasks = [{"data": {"text": f"w{n}-{i}"}, "unique_id": f"w{n}-{i}"}
                     for i in range(BULK)]
            response = http.post("/v1/tasks/bulk", json={"project": project_id, "tasks": tasks})
            if response.status_code != 200:
                errors.append(response.text)
                return
            n += 1


@pytest.fixture(scope="module")
def written(org: Org, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A backup taken while a writer thread adds tasks in bulk through the running server."""
    project = categorize_project(org, name="backed-up")
    worker = org.worker()
    org.client.create_tasks(project["id"], [{"data": {"text": "first"}}])
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    stop, errors = threading.Event(), []
    writer = threading.Thread(target=_write_until, args=(org, project["id"], stop, errors))
    writer.start()
    try:
        while writer.is_alive() and len(
                org.client.list_tasks(project=project["id"], limit=200)["docs"]) < 4 * BULK:
            pass
        path = tmp_path_factory.mktemp("backup") / "assay.backup"
        done = assay_db("backup", str(path), "--db", org.db.url, "--json")
    finally:
        stop.set()
        writer.join()
    assert errors == []
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    return {"path": path, "summary": summary, "project": project}


def test_the_copy_is_a_consistent_snapshot(written: dict[str, Any], org: Org) -> None:
    rows = written["summary"]["rows"]
    # Every bulk call is one transaction: the copy holds whole calls only.
    assert (rows["tasks"] - 1) % BULK == 0 and rows["tasks"] > 1
    assert rows["responses"] == 1 and rows["organizations"] >= 1
    assert written["summary"]["total"] == sum(rows.values())
    assert written["path"].stat().st_mode & 0o777 == 0o600
    assert count_rows(org.db)["tasks"] > rows["tasks"]  # the writer went on meanwhile


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_it_restores_into_a_fresh_database_of_either_kind(
        written: dict[str, Any], org: Org, fresh_url: Any, kind: str,
        tmp_path: Path) -> None:
    url = fresh_url(kind)
    done = assay_db("restore", str(written["path"]), "--db", url, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == written["summary"]["rows"]
    db = Database(url)
    try:
        assert count_rows(db) == written["summary"]["rows"]
    finally:
        db.dispose()
    # Backed up again, the copy gives the same rows: every value came back as it was.
    again = tmp_path / "again.backup"
    assert assay_db("backup", str(again), "--db", url).returncode == 0
    assert _rows(again) == _rows(written["path"])
    # A server on the copy answers the same key with the same tasks.
    log = tmp_path / "server.log"
    server = ServerProcess(url, env={"ASSAY_RUN_JOBS": "0"}, log_path=log)
    try:
        server.start()
    except RuntimeError as exc:  # say why, not only that it exited
        raise AssertionError(f"{exc}: {log.read_text()[-3000:]}") from exc
    try:
        headers = {"Authorization": f"Bearer {org.api_key}"}
        project_id = written["project"]["id"]
        page = httpx.get(f"{server.url}/v1/tasks", headers=headers,
                         params={"project": project_id, "limit": 1,
                                 "include": "responses"}).json()
        first = page["docs"][0]
        assert first["data"] == {"text": "first"} and first["status"] == "completed"
        assert first["responses"][0]["answer"] == {"label": "pos"}
        assert first["result"]["answer"] == {"label": "pos"}
        assert first["callback_succeeded"] is None and first["completed_at"].endswith("Z")
        original = org.client.get_task(first["id"])
        assert {k: first[k] for k in original} == original
    finally:
        server.stop()


def test_it_refuses_a_database_that_holds_rows_unless_forced(
        written: dict[str, Any], fresh_url: Any, backend: str) -> None:
    url = fresh_url("sqlite" if backend == "sqlite" else "postgres")
    assert assay_db("restore", str(written["path"]), "--db", url).returncode == 0
    again = assay_db("restore", str(written["path"]), "--db", url, "--json")
    assert again.returncode == 2
    assert "not empty" in json.loads(again.stdout)["error"]["message"]
    forced = assay_db("restore", str(written["path"]), "--db", url, "--force", "--json")
    assert forced.returncode == 0, forced.stderr
    db = Database(url)
    try:
        assert count_rows(db) == written["summary"]["rows"]
    finally:
        db.dispose()


def test_a_damaged_copy_restores_nothing(written: dict[str, Any], fresh_url: Any,
                                         tmp_path: Path) -> None:
    lines = gzip.decompress(written["path"].read_bytes()).decode().splitlines()
    cut = tmp_path / "cut.backup"
    cut.write_bytes(gzip.compress("\n".join(lines[:-1]).encode()))  # no end marker
    url = fresh_url("sqlite")
    done = assay_db("restore", str(cut), "--db", url)
    assert done.returncode == 2 and "cut short" in done.stderr
    db = Database(url)
    try:
        assert sum(count_rows(db).values()) == 0
    finally:
        db.dispose()
    junk = tmp_path / "junk.backup"
    junk.write_text("not a backup")
    done = assay_db("restore", str(junk), "--db", fresh_url("sqlite"))
    assert done.returncode == 2 and "not an Assay backup" in done.stderr
    assert assay_db("restore", str(tmp_path / "missing"), "--db",
                    fresh_url("sqlite")).returncode == 2


def _rows(path: Path) -> dict[str, list[list[Any]]]:
    """Each table's rows in a backup, JSON cells parsed (PostgreSQL spaces JSON text)."""
    from assay.db.models import Base

    tables: dict[str, list[list[Any]]] = {}
    json_columns: set[int] = set()
    current: list[list[Any]] = []
    for line in gzip.decompress(path.read_bytes()).decode().splitlines()[1:]:
        item = json.loads(line)
        if isinstance(item, dict) and "table" in item:
            table = Base.metadata.tables[item["table"]]
            json_columns = {i for i, name in enumerate(item["columns"])
                            if "JSON" in type(table.columns[name].type).__name__}
            current = tables.setdefault(item["table"], [])
        elif isinstance(item, list):
            current.append([("json", json.loads(v)) if i in json_columns and v is not None
                            else v for i, v in enumerate(item)])
    return tables
