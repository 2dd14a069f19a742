"""Encryption at rest (API.md part two): a marker put in every encrypted field is nowhere in
the SQLite file (and its WAL) or a ``pg_dump``, and comes back whole through the API; a
shredded organization answers ``410 erased`` on every running server while the other keeps
its content; a wrong master key and a bad key file give a clear error, not garbage."""

from __future__ import annotations

import base64
import gzip
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError

from assay.crypto.masterkey import data_dir
from assay.db.engine import Database
from assay.db.models import Project
from assay.db.sealing import PlaintextWrite
from tests.support import TEST_ENV, Org, ServerProcess, make_org

MARK = "zq7-MARKER-" + uuid.uuid4().hex[:8]


def _cli(*args: str, env: dict[str, str] | None = None,
         stdin: Any = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assay.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **TEST_ENV, **(env or {})},
                          stdin=stdin, timeout=120)


def _until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    """Poll until ``check`` holds (no timed assertion: the deadline only ends a hang)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.2)


def _fill(org: Org) -> dict[str, Any]:
    """One of each encrypted field carrying the marker: instructions, task data, a worker's
    answer, the task's result, a gold answer, a reviewer's fix (an audit's fix follows)."""
    client = org.client
    project = client.create_project(name="enc", kind="text", params={},
                                    instructions=f"Read {MARK} carefully",
                                    quality={"overlap": 1})
    client.add_gold(project["id"], {"prompt": f"gold {MARK}"}, {"text": f"gold {MARK}"})
    task = client.create_task(project["id"], {"prompt": f"data {MARK}"})
    worker = org.worker()
    offer = worker.next(project["id"])  # gold_rate 0: the live task
    assert offer is not None and offer["data"] == {"prompt": f"data {MARK}"}
    worker.submit(offer["assignment_id"], {"text": f"answer {MARK}"})
    # A reviewer's fix (reviews.answer) on a project that reviews every task.
    reviewed = client.create_project(name="enc review", kind="text", params={},
                                     quality={"overlap": 1, "review_rate": 1.0})
    fixed = client.create_task(reviewed["id"], {"prompt": "to review"})
    answering = org.worker()
    offer = answering.next(reviewed["id"])
    assert offer is not None
    answering.submit(offer["assignment_id"], {"text": "first try"})
    reviewer = org.worker()
    client.add_reviewer(reviewed["id"], reviewer.me()["worker_id"])
    assert reviewer.next_review(reviewed["id"]) is not None
    reviewer.review(fixed["id"], "fix", {"text": f"review {MARK}"})
    return {"project": project, "task": task, "fixed": fixed}


def _raw_sqlite(url: str) -> bytes:
    path = Path(str(make_url(url).database))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _pg_dump(url: str) -> bytes:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    return subprocess.run(["pg_dump", "--data-only", plain], capture_output=True,
                          check=True, timeout=120).stdout


def test_the_marker_is_stored_only_as_ciphertext(org: Org, db_url: str, db: Database) -> None:
    made = _fill(org)
    client = org.client
    task = client.get_task(made["task"]["id"], include_responses=True)
    audited = client.audit_task(task["id"], False, {"text": f"audit {MARK}"}, "fixed")
    # Present through the API, whole.
    assert client.get_project(made["project"]["id"])["instructions"] == f"Read {MARK} carefully"
    assert task["data"] == {"prompt": f"data {MARK}"}
    assert task["responses"][0]["answer"] == {"text": f"answer {MARK}"}
    assert audited["result"]["answer"] == {"text": f"audit {MARK}"}
    assert client.get_task(made["fixed"]["id"])["result"]["answer"] == {"text": f"review {MARK}"}
    gold = list(client.iter_gold(made["project"]["id"]))
    assert gold[0]["answer"] == {"text": f"gold {MARK}"}
    exported = list(client.iter_export(made["project"]["id"], include_responses=True))
    assert exported[0]["data"] == {"prompt": f"data {MARK}"}
    assert exported[0]["result"]["answer"] == {"text": f"audit {MARK}"}
    # Absent from what lies on disk.
    marker = MARK.encode()
    if db.is_postgres:
        assert marker not in _pg_dump(db_url)
    else:
        assert marker not in _raw_sqlite(db_url)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        assert marker not in _raw_sqlite(db_url)
    # A field stored in the clear would have been found: the check can fail.
    assert made["project"]["name"].encode() in (
        _pg_dump(db_url) if db.is_postgres else _raw_sqlite(db_url))


def test_shred_erases_one_organization_on_every_server(server: ServerProcess, db: Database,
                                                       db_url: str, tmp_path: Path) -> None:
    victim = make_org(server.url, db, "Victim")
    bystander = make_org(server.url, db, "Bystander")
    gone = victim.client.create_project(name="v", kind="text", params={},
                                        instructions=f"victim {MARK}")
    gone_task = victim.client.create_task(gone["id"], {"prompt": f"victim {MARK}"})
    kept = bystander.client.create_project(name="b", kind="text", params={},
                                           instructions=f"bystander {MARK}")
    kept_task = bystander.client.create_task(kept["id"], {"prompt": f"bystander {MARK}"})
    second = ServerProcess(db_url, log_path=tmp_path / "second.log").start()
    try:
        # Both servers read the victim's content now (and so hold its key in memory).
        for url in (server.url, second.url):
            with httpx.Client(base_url=url, headers=_bearer(victim)) as http:
                assert http.get(f"/v1/tasks/{gone_task['id']}").status_code == 200

        refused = _cli("org", "shred", victim.org_id, "--db", db_url)
        assert refused.returncode == 2, refused.stderr
        assert "--yes" in refused.stderr
        done = _cli("org", "shred", victim.org_id, "--yes", "--db", db_url)
        assert done.returncode == 0, done.stderr

        for url in (server.url, second.url):
            with httpx.Client(base_url=url, headers=_bearer(victim)) as http:
                _until(lambda h=http: h.get(f"/v1/tasks/{gone_task['id']}").status_code == 410)
                answer = http.get(f"/v1/projects/{gone['id']}")
                assert answer.status_code == 410
                assert answer.json()["error"]["code"] == "erased"
                # Its key still authenticates: what holds no content still answers.
                assert http.get("/v1/payouts").status_code == 200
            with httpx.Client(base_url=url, headers=_bearer(bystander)) as http:
                task = http.get(f"/v1/tasks/{kept_task['id']}")
                assert task.status_code == 200
                assert task.json()["data"] == {"prompt": f"bystander {MARK}"}
        assert _operator_acts(victim, "org.shred") == [victim.org_id]  # on its audit log
        assert _operator_acts(bystander, "org.shred") == []
    finally:
        second.stop()


def _bearer(org: Org) -> dict[str, str]:
    return {"Authorization": f"Bearer {org.api_key}"}


def _operator_acts(org: Org, action: str) -> list[str | None]:
    """The objects of the organization's audit entries of ``action`` by the operator."""
    with httpx.Client(base_url=org.url, headers=_bearer(org)) as http:
        docs = http.get("/v1/audit", params={"action": action}).json()["docs"]
    assert all(d["actor"] == {"type": "operator", "id": None} for d in docs)
    return [d["object"] for d in docs]


def test_a_wrong_master_key_is_a_clear_error(org: Org, db_url: str, tmp_path: Path) -> None:
    other = tmp_path / "other.key"
    other.write_bytes(os.urandom(32))
    result = _cli("org", "key", "rotate", org.org_id, "--db", db_url,
                  env={"ASSAY_MASTER_KEY_FILE": str(other)})
    assert result.returncode == 1, result.stderr
    assert "master key" in result.stderr and "ASSAY_MASTER_KEY" in result.stderr


@pytest.mark.parametrize("content", [b"short", os.urandom(31), b"A" * 60],
                         ids=["short", "31-random-bytes", "60-base64-chars"])
def test_a_key_file_of_the_wrong_length_is_refused(org: Org, db_url: str, tmp_path: Path,
                                                   content: bytes) -> None:
    bad = tmp_path / "bad.key"
    bad.write_bytes(content)
    result = _cli("org", "key", "set", org.org_id, "--key-file", str(bad), "--db", db_url)
    assert result.returncode == 2, result.stderr
    assert "32 bytes" in result.stderr
    master = _cli("org", "key", "rotate", org.org_id, "--db", db_url,
                  env={"ASSAY_MASTER_KEY_FILE": str(bad)})
    assert master.returncode == 2 and "32 bytes" in master.stderr


def test_a_backup_holds_ciphertext_and_restores_only_with_its_master_key(
        org: Org, db_url: str, tmp_path: Path) -> None:
    project = org.client.create_project(name="backed up", kind="text", params={},
                                        instructions=f"backup {MARK}")
    backup = tmp_path / "assay.backup"
    made = _cli("db", "backup", str(backup), "--db", db_url)
    assert made.returncode == 0, made.stderr
    assert MARK.encode() not in gzip.decompress(backup.read_bytes())

    other = tmp_path / "other.key"
    other.write_bytes(os.urandom(32))
    elsewhere = f"sqlite:///{tmp_path / 'wrong.db'}"
    refused = _cli("db", "restore", str(backup), "--db", elsewhere,
                   env={"ASSAY_MASTER_KEY_FILE": str(other)})
    assert refused.returncode == 1, refused.stderr
    assert "master key" in refused.stderr and "nothing was restored" in refused.stderr

    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    restored = _cli("db", "restore", str(backup), "--db", copy)
    assert restored.returncode == 0, restored.stderr
    database = Database(copy)
    try:
        with database.read() as session:
            text = session.scalar(select(Project.instructions)
                                  .where(Project.id == project["id"]))
    finally:
        database.dispose()
    assert text == f"backup {MARK}"


def test_a_plain_value_never_reaches_an_encrypted_column(org: Org, db: Database) -> None:
    project = org.client.create_project(name="plain", kind="text", params={},
                                        instructions="as given")
    with pytest.raises(StatementError) as excinfo:
        db.write(lambda s: s.execute(update(Project).where(
            Project.org_id == org.org_id, Project.id == project["id"])
            .values(instructions="written in the clear")))
    assert isinstance(excinfo.value.orig, PlaintextWrite)
    assert org.client.get_project(project["id"])["instructions"] == "as given"


def _read_status(org: Org, task_id: str) -> int:
    with httpx.Client(base_url=org.url, headers=_bearer(org)) as http:
        return http.get(f"/v1/tasks/{task_id}").status_code


def test_rotation_to_a_new_master_key_and_back(server: ServerProcess, db: Database,
                                                db_url: str, tmp_path: Path) -> None:
    owner = make_org(server.url, db, "Rotating")
    project = owner.client.create_project(name="r", kind="text", params={})
    task = owner.client.create_task(project["id"], {"prompt": MARK})
    current = data_dir(os.environ) / "master.key"
    if os.environ.get("ASSAY_MASTER_KEY") or os.environ.get("ASSAY_MASTER_KEY_FILE"):
        pytest.skip("the test swaps the generated master key")
    new = tmp_path / "new.key"
    new.write_bytes(os.urandom(32))
    moved = _cli("org", "key", "rotate", owner.org_id, "--db", db_url,
                 env={"ASSAY_MASTER_KEY_FILE": str(new),
                      "ASSAY_PREVIOUS_MASTER_KEY_FILE": str(current)})
    assert moved.returncode == 0, moved.stderr
    # The server still has only the old master key: within 10 s it cannot unwrap.
    _until(lambda: _read_status(owner, task["id"]) == 503)
    back = _cli("org", "key", "rotate", owner.org_id, "--db", db_url,
                env={"ASSAY_PREVIOUS_MASTER_KEY_FILE": str(new)})
    assert back.returncode == 0, back.stderr
    _until(lambda: _read_status(owner, task["id"]) == 200)
    assert _operator_acts(owner, "org_key.rotate") == [owner.org_id] * 2


def test_a_customer_held_key_must_stay_readable(server: ServerProcess, db: Database,
                                                db_url: str, tmp_path: Path) -> None:
    owner = make_org(server.url, db, "Holding")
    project = owner.client.create_project(name="c", kind="text", params={})
    task = owner.client.create_task(project["id"], {"prompt": MARK})
    held = tmp_path / "customer.key"
    held.write_bytes(base64.b64encode(os.urandom(32)))
    done = _cli("org", "key", "set", owner.org_id, "--key-file", str(held), "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert owner.client.get_task(task["id"])["data"] == {"prompt": MARK}
    assert _operator_acts(owner, "org_key.set") == [owner.org_id]
    kept = held.read_bytes()
    held.unlink()
    _until(lambda: _read_status(owner, task["id"]) == 503)
    held.write_bytes(kept)
    _until(lambda: _read_status(owner, task["id"]) == 200)
