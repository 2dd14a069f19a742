"""The ``assay`` command: accounts with --json, import and export, exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from assay.db.engine import Database
from tests.support import Org, categorize_project


def assay(*args: str, db_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assay.cli", *args, "--db", db_url],
                          capture_output=True, text=True, timeout=120)


def test_accounts_from_the_command_line(db_url: str, org: Org) -> None:
    out = assay("org", "create", "Initech", "--json", db_url=db_url)
    assert out.returncode == 0, out.stderr
    created = json.loads(out.stdout)
    assert set(created) == {"org_id", "api_key", "webhook_secret"}
    worker = assay("worker", "create", "ann@example.com", "--org", created["org_id"],
                   "--password", "correct horse", "--json", db_url=db_url)
    assert worker.returncode == 0, worker.stderr
    assert set(json.loads(worker.stdout)) == {"worker_id", "token"}
    crowd = assay("worker", "create", "bob@example.com", "--json", db_url=db_url)
    assert crowd.returncode == 0
    user = assay("user", "create", "cto@example.com", "--org", created["org_id"],
                 "--password", "hunter2hunter2", "--role", "admin", "--json", db_url=db_url)
    assert user.returncode == 0 and json.loads(user.stdout)["role"] == "admin"
    human = assay("worker", "create", "dan@example.com", db_url=db_url)
    assert "Token (shown once)" in human.stdout


def test_bad_input_exits_2_with_a_message(db_url: str, org: Org) -> None:
    out = assay("worker", "create", "not-an-email", "--json", db_url=db_url)
    assert out.returncode == 2
    assert json.loads(out.stdout)["error"]["code"] == "invalid_input"
    dup = assay("worker", "create", "same@example.com", db_url=db_url)
    assert dup.returncode == 0
    again = assay("worker", "create", "same@example.com", db_url=db_url)
    assert again.returncode == 1 and "exists" in again.stderr
    missing = assay("user", "create", "x@example.com", "--org", "org_nope",
                    "--password", "longenough", db_url=db_url)
    assert missing.returncode == 2
    usage = subprocess.run([sys.executable, "-m", "assay.cli", "org"], capture_output=True,
                           text=True)
    assert usage.returncode == 2


def test_import_then_export(db_url: str, org: Org, tmp_path: Path, db: Database) -> None:
    project = categorize_project(org)
    jsonl = tmp_path / "tasks.jsonl"
    jsonl.write_text("\n".join(json.dumps({"data": {"text": f"j{i}"}, "unique_id": f"j{i}"})
                               for i in range(2500)) + "\n")
    out = assay("import", str(jsonl), "--project", project["id"], "--json", db_url=db_url)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["created"] == 2500
    again = assay("import", str(jsonl), "--project", project["id"], "--json", db_url=db_url)
    assert json.loads(again.stdout)["created"] == 0
    assert len(json.loads(again.stdout)["duplicates"]) == 2500

    table = tmp_path / "tasks.csv"
    table.write_text("text,unique_id,priority\nhello,c1,5\nworld,c2,0\n")
    out = assay("import", str(table), "--project", project["id"], "--json", db_url=db_url)
    assert json.loads(out.stdout)["created"] == 2
    c1 = [t for t in org.client.iter_tasks(project=project["id"]) if t["unique_id"] == "c1"]
    assert c1[0]["data"] == {"text": "hello"} and c1[0]["priority"] == 5

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"data": {"text": "ok"}}\n{"data": 5}\n')
    out = assay("import", str(bad), "--project", project["id"], db_url=db_url)
    assert out.returncode == 2 and "line 2" in out.stderr
    assert len(list(org.client.iter_tasks(project=project["id"]))) == 2502

    target = tmp_path / "out.jsonl"
    out = assay("export", "--project", project["id"], "--out", str(target), "--json",
                db_url=db_url)
    assert out.returncode == 0 and json.loads(out.stdout)["exported"] == 2502
    lines = target.read_text().splitlines()
    assert len(lines) == 2502 and json.loads(lines[0])["unique_id"] == "j0"
    as_csv = assay("export", "--project", project["id"], "--format", "csv", db_url=db_url)
    assert as_csv.stdout.count("\n") == 2503
