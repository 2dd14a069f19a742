"""``DELETE /v1/tasks/{id}`` and ``DELETE /v1/projects/{id}``: the content of an erased task
is gone from every read, export, a backup written afterwards and the database's files after
``assay db vacuum``; its id answers like a missing one; the ledger and the worker's counts
stay (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import gzip
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from assay.client import WorkerClient
from assay.db.engine import Database
from assay.db.models import Response, Task
from tests.support import Org


def marker() -> str:
    return f"ERASEME{uuid.uuid4().hex}"


def assay(*args: str, db_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assay.cli", *args, "--db", db_url],
                          capture_output=True, text=True, timeout=300)


def text_project(org: Org, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"quality": {"overlap": 1}, **fields}
    return org.client.create_project(name="notes", kind="text", params={},
                                     pay={"per_task": "0.25"}, **body)


def answered_task(org: Org, project: dict[str, Any], worker: WorkerClient,
                  secret: str) -> dict[str, Any]:
    """A completed task whose data, metadata, unique_id, answer and result hold ``secret``."""
    task = org.client.create_task(project["id"], {"text": f"data {secret}"},
                                  metadata={"m": secret}, unique_id=f"u-{secret}")
    offer = worker.next(project["id"])
    assert offer is not None and offer["data"] == {"text": f"data {secret}"}
    worker.submit(offer["assignment_id"], {"text": f"answer {secret}"})
    done = org.client.get_task(task["id"], include_responses=True)
    assert done["status"] == "completed" and secret in str(done)
    return done


def everything_readable(org: Org, project_id: str) -> str:
    """Every read of the project a requester has, as one string."""
    with org.http() as http:
        parts = [http.get("/v1/tasks", params={"project": project_id,
                                               "include": "responses"}).text,
                 http.get(f"/v1/projects/{project_id}/export",
                          params={"format": "jsonl", "include": "responses"}).text,
                 http.get(f"/v1/projects/{project_id}/export",
                          params={"format": "csv"}).text,
                 http.get(f"/v1/projects/{project_id}").text,
                 http.get(f"/v1/projects/{project_id}/gold").text]
    return "\n".join(parts)


def masked(response: httpx.Response, task_id: str) -> tuple[int, str]:
    return response.status_code, response.text.replace(task_id, "ID")


def test_a_deleted_task_reads_like_a_missing_one(org: Org, other_org: Org) -> None:
    project = text_project(org)
    worker = org.worker()
    secret = marker()
    task = answered_task(org, project, worker, secret)
    keep = answered_task(org, project, worker, marker())
    with org.http() as http:
        erased = http.delete(f"/v1/tasks/{task['id']}")
        assert erased.status_code == 200, erased.text
        assert erased.json() == {"id": task["id"], "object": "task", "erased": True}
        missing = "tsk_" + "0" * len(task["id"][4:])
        expected = masked(http.get(f"/v1/tasks/{missing}"), missing)
        assert expected[0] == 404
        assert masked(http.get(f"/v1/tasks/{task['id']}"), task["id"]) == expected
        assert masked(http.patch(f"/v1/tasks/{task['id']}", json={"priority": 1}),
                      task["id"]) == expected
        assert masked(http.post(f"/v1/tasks/{task['id']}/cancel"), task["id"]) == expected
        # Idempotent: the second DELETE is a 404 like any missing task, never a 500.
        assert masked(http.delete(f"/v1/tasks/{task['id']}"), task["id"]) == \
            masked(http.delete(f"/v1/tasks/{missing}"), missing)
    with other_org.http() as http:  # another organization learns nothing either
        assert masked(http.delete(f"/v1/tasks/{keep['id']}"), keep["id"]) == expected
        assert masked(http.get(f"/v1/tasks/{task['id']}"), task["id"]) == expected
    readable = everything_readable(org, project["id"])
    assert secret not in readable
    assert keep["id"] in readable  # the other task is untouched
    with org.http() as http:  # on the organization's audit log, once, by the key
        logged = http.get("/v1/audit", params={"object": task["id"],
                                               "action": "task.erase"}).json()["docs"]
    assert [e["actor"]["type"] for e in logged] == ["key"]
    counts = org.client.get_project(project["id"])["counts"]
    assert counts == {"pending": 0, "completed": 1, "canceled": 0, "error": 0}
    # The unique_id is free again: it was content too.
    again = org.client.create_task(project["id"], {"text": "new"}, unique_id=f"u-{secret}")
    assert again["id"] != task["id"]
    # The worker's own figures and pay stay: 2 answers, 2 earnings of 0.25.
    me = worker.me(project["id"])
    assert me["answers"] == 2 and me["earned"] == "0.50"


def test_only_an_admin_erases(org: Org) -> None:
    project = text_project(org)
    task = org.client.create_task(project["id"], {"text": "x"})
    key = _member_key(org)
    if key is None:
        pytest.skip("member keys are not available in this tree yet")
    with httpx.Client(base_url=org.url, headers={"Authorization": f"Bearer {key}"}) as http:
        for path in (f"/v1/tasks/{task['id']}", f"/v1/projects/{project['id']}"):
            refused = http.delete(path)
            assert refused.status_code == 403, refused.text
            assert refused.json()["error"]["code"] == "forbidden_role"
    assert org.client.get_task(task["id"])["data"] == {"text": "x"}


def _member_key(org: Org) -> str | None:
    with org.http() as http:
        made = http.post("/v1/org/keys", json={"name": "m", "role": "member"})
    if made.status_code != 201:
        return None
    found: str | None = made.json().get("key") or made.json().get("api_key")
    return found


def test_erasing_a_project_erases_its_tasks_gold_and_itself(org: Org) -> None:
    project = text_project(org)
    worker = org.worker()
    secret = marker()
    answered_task(org, project, worker, secret)
    org.client.add_gold(project["id"], {"text": f"gold {secret}"}, {"text": f"g {secret}"})
    batch = org.client.create_batch(project["id"], "b")
    org.client.create_task(project["id"], {"text": f"batched {secret}"}, batch=batch["id"])
    with org.http() as http:
        assert http.delete(f"/v1/projects/{project['id']}").status_code == 200
        missing = "prj_" + "0" * len(project["id"][4:])
        expected = masked(http.get(f"/v1/projects/{missing}"), missing)
        for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "/gold"),
                             ("GET", "/export")):
            got = http.request(method, f"/v1/projects/{project['id']}{path}",
                               json={"name": "x"} if method == "PATCH" else None)
            assert got.status_code == 404, (method, path, got.text)
            if not path:
                assert masked(got, project["id"]) == masked(
                    http.request(method, f"/v1/projects/{missing}",
                                 json={"name": "x"} if method == "PATCH" else None),
                    missing)
        assert expected[0] == 404
        listed = http.get("/v1/projects", params={"limit": 1000}).text
        assert project["id"] not in listed
        tasks = http.get("/v1/tasks", params={"project": project["id"]}).json()
        assert tasks["docs"] == []
        batch_doc = http.get(f"/v1/batches/{batch['id']}").json()
        assert secret not in str(batch_doc)
    w = worker._http
    assert w.post("/v1/work/next", json={"project": project["id"]}).status_code == 404
    anywhere = w.post("/v1/work/next", json={})
    assert anywhere.status_code == 204 or anywhere.json()["project"] != project["id"]


def test_a_lease_on_an_erased_task_ends_and_its_submit_is_a_conflict(org: Org) -> None:
    project = text_project(org)
    worker = org.worker()
    task = org.client.create_task(project["id"], {"text": "leased"})
    offer = worker.next(project["id"])
    assert offer is not None
    with org.http() as http:
        assert http.delete(f"/v1/tasks/{task['id']}").status_code == 200
    w = worker._http
    submitted = w.post(f"/v1/work/{offer['assignment_id']}/submit",
                       json={"answer": {"text": "late"}})
    assert submitted.status_code == 409, submitted.text
    assert submitted.json()["error"]["code"] == "assignment_expired"
    skipped = w.post(f"/v1/work/{offer['assignment_id']}/skip", json={})
    assert skipped.status_code == 409
    assert w.post("/v1/work/next", json={"project": project["id"]}).status_code == 204


def _stored(db: Database, task_id: str) -> list[bytes]:
    """The task's content as the database stores it (sealed: ciphertext), straight from the
    tables: its data and result, its answers, its audits."""
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT data FROM tasks WHERE id = :t UNION ALL "
            "SELECT result FROM tasks WHERE id = :t UNION ALL "
            "SELECT answer FROM responses WHERE task_id = :t UNION ALL "
            "SELECT answer FROM audits WHERE task_id = :t"), {"t": task_id}).scalars().all()
    return [bytes(v) for v in rows if v is not None]


def test_a_backup_written_afterwards_and_the_vacuumed_files_hold_none_of_it(
        org: Org, db: Database, db_url: str, tmp_path: Path) -> None:
    project = text_project(org)
    worker = org.worker()
    secret = marker()
    task = answered_task(org, project, worker, secret)
    org.client.audit_task(task["id"], accepted=False, answer={"text": f"fix {secret}"},
                          comment=f"c {secret}")
    before = _stored(db, task["id"])
    assert len(before) == 4
    with org.http() as http:
        assert http.delete(f"/v1/tasks/{task['id']}").status_code == 200
    after = _stored(db, task["id"])
    assert not set(before) & set(after)
    backup = tmp_path / "after.gz"
    made = assay("db", "backup", str(backup), db_url=db_url)
    assert made.returncode == 0, made.stderr
    with gzip.open(backup, "rt") as f:
        copy = f.read()
    assert task["id"] in copy  # the tombstone is there
    assert secret not in copy and f"c {secret}" not in copy
    for blob in before:
        assert base64.b64encode(blob).decode() not in copy
    vacuumed = assay("db", "vacuum", "--json", db_url=db_url)
    assert vacuumed.returncode == 0, vacuumed.stderr
    raw = _raw_storage(db, db_url)
    for blob in before:
        assert blob[-32:] not in raw  # the ciphertext's tail, its tag included
    assert f"c {secret}".encode() not in raw  # the audit comment is not sealed


def _raw_storage(db: Database, db_url: str) -> bytes:
    """The bytes the database keeps on disk for its content tables (PostgreSQL: after a
    checkpoint, the tables' files and their TOAST tables' files)."""
    if db_url.startswith("sqlite"):
        path = Path(db_url.split("///", 1)[1])
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    out = b""
    with db.engine.connect() as conn:
        conn.execute(text("CHECKPOINT"))
        for table in ("tasks", "responses", "audits", "assignments", "reviews"):
            paths = conn.execute(text(
                "SELECT pg_relation_filepath(oid) FROM pg_class WHERE oid = :t ::regclass "
                "UNION ALL SELECT pg_relation_filepath(reltoastrelid) FROM pg_class "
                "WHERE oid = :t ::regclass AND reltoastrelid <> 0"), {"t": table}).scalars()
            for path in paths:
                out += conn.execute(text("SELECT pg_read_binary_file(:p)"),
                                    {"p": path}).scalar() or b""
    return out


def test_the_stored_form_is_on_disk_before_erasure(org: Org, db: Database,
                                                  db_url: str) -> None:
    """The checks above can fail: before erasure, vacuumed storage holds the content."""
    project = text_project(org)
    secret = marker()
    task = answered_task(org, project, org.worker(), secret)
    org.client.audit_task(task["id"], accepted=False, comment=f"c {secret}")
    assert assay("db", "vacuum", db_url=db_url).returncode == 0
    raw = _raw_storage(db, db_url)
    stored = _stored(db, task["id"])
    assert stored and all(blob[-32:] in raw for blob in stored)
    assert f"c {secret}".encode() in raw


def test_deleting_while_workers_answer_leaves_no_content_and_no_error(org: Org) -> None:
    project = text_project(org)
    secrets = [marker() for _ in range(40)]
    ids = [org.client.create_task(project["id"], {"text": s})["id"] for s in secrets]
    workers = [org.worker() for _ in range(4)]
    statuses: list[int] = []
    lock = threading.Lock()

    def work(worker: WorkerClient) -> None:
        w = worker._http
        for _ in range(30):
            got = w.post("/v1/work/next", json={"project": project["id"]})
            with lock:
                statuses.append(got.status_code)
            if got.status_code != 200:
                break
            done = w.post(f"/v1/work/{got.json()['assignment_id']}/submit",
                          json={"answer": {"text": "a " + got.json()["data"]["text"]}})
            with lock:
                statuses.append(done.status_code)

    def erase() -> None:
        with org.http() as http:
            for task_id in ids[::2]:
                got = http.delete(f"/v1/tasks/{task_id}")
                with lock:
                    statuses.append(got.status_code)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    threads.append(threading.Thread(target=erase))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s < 500 for s in statuses), statuses
    assert set(statuses) <= {200, 204, 409}, statuses
    readable = everything_readable(org, project["id"])
    for secret in secrets[::2]:
        assert secret not in readable
    left = {t["id"] for t in org.client.iter_tasks(project=project["id"])}
    assert left == set(ids[1::2])


def test_assay_worker_erase_keeps_the_work_and_drops_the_person(
        org: Org, db: Database, db_url: str, tmp_path: Path) -> None:
    from assay.accounts import service as accounts
    from tests.web.support import signed_in_client, worker_account

    project = text_project(org)
    account = worker_account(org)
    token = db.write(lambda s: _new_token(s, account.subject_id))
    worker = WorkerClient(org.url, token)
    for i in range(2):
        org.client.create_task(project["id"], {"text": f"t{i}"})
        offer = worker.next(project["id"])
        assert offer is not None
        worker.submit(offer["assignment_id"], {"text": f"a{i}"})
    open_task = org.client.create_task(project["id"], {"text": "leased"})
    lease = worker.next(project["id"])
    assert lease is not None
    before = list(org.client.iter_workers(project["id"]))
    with signed_in_client(org.url, account) as browser:
        assert browser.get("/work").status_code == 200
        erased = assay("worker", "erase", account.subject_id, "--json", db_url=db_url)
        assert erased.returncode == 0, erased.stderr
        assert '"erased": true' in erased.stdout
        assert browser.get("/work").status_code in (303, 401)  # the session ended
    again = assay("worker", "erase", account.subject_id, "--json", db_url=db_url)
    assert again.returncode == 0, again.stderr  # already erased: nothing more to do
    assert assay("worker", "erase", "wrk_missing", db_url=db_url).returncode == 2
    # Sign-in fails, with the password or with the placeholder as the email.
    with httpx.Client(base_url=org.url) as http:
        from tests.web.support import sign_in
        assert sign_in(http, account.email, account.password).status_code != 303
        assert sign_in(http, f"erased:{account.subject_id}", "").status_code != 303
    with db.read() as s:
        assert accounts.authenticate_worker_token(s, token) is None
        row = accounts.find_worker(s, account.subject_id)
        assert row is not None and account.email not in (row.email, row.token_hash)
    # A server may accept the token from its cache for a few seconds more (http/auth.py):
    # it is refused (401) or offered nothing (204), never work.
    assert worker._http.post("/v1/work/next", json={}).status_code in (204, 401)
    assert worker._http.post("/v1/work/next",
                             json={"project": project["id"]}).status_code in (204, 401)
    # The work stays, pseudonymous: the same figures under the same id, and the lease
    # the worker held came back to the pool.
    assert list(org.client.iter_workers(project["id"])) == before
    taken = org.worker().next(project["id"])
    assert taken is not None and taken["data"] == open_task["data"]
    # The email can be used again: nothing of it is left.
    db.write(lambda s: accounts.create_worker(s, account.email, org.org_id))
    backup = tmp_path / "after.gz"
    assert assay("db", "backup", str(backup), db_url=db_url).returncode == 0
    with gzip.open(backup, "rt") as f:
        assert f.read().count(account.email) == 1  # the new worker's


def _new_token(session: Any, worker_id: str) -> str:
    """A worker token for an existing worker, never used with the server before (so no
    process has cached it)."""
    from assay.accounts.secrets import token_digest
    from assay.accounts.service import find_worker
    from assay.ids import new_secret

    token = new_secret("wt", 24)
    worker = find_worker(session, worker_id)
    assert worker is not None
    worker.token_hash = token_digest(token)
    return token


def test_a_batch_whose_last_pending_task_is_erased_completes(org: Org) -> None:
    project = text_project(org)
    batch = org.client.create_batch(project["id"], "b")
    tasks = [org.client.create_task(project["id"], {"text": f"b{i}"}, batch=batch["id"])
             for i in range(2)]
    org.client.finalize_batch(batch["id"])
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"text": "done"})
    assert org.client.get_batch(batch["id"])["status"] == "in_progress"
    left = next(t for t in tasks if org.client.get_task(t["id"])["status"] == "pending")
    with org.http() as http:
        assert http.delete(f"/v1/tasks/{left['id']}").status_code == 200
    done = org.client.get_batch(batch["id"])
    assert done["status"] == "completed"
    assert done["counts"] == {"pending": 0, "completed": 1, "canceled": 0, "error": 0}


def test_deleting_a_project_while_workers_answer_it_leaves_nothing(org: Org,
                                                                    db: Database) -> None:
    project = text_project(org)
    secret = marker()
    org.client.create_tasks(project["id"], [{"data": {"text": f"{secret} {i}"}}
                                            for i in range(60)])
    workers = [org.worker() for _ in range(4)]
    statuses: list[int] = []
    lock = threading.Lock()
    started = threading.Barrier(len(workers) + 1)

    def work(worker: WorkerClient) -> None:
        w = worker._http
        started.wait()
        for _ in range(20):
            got = w.post("/v1/work/next", json={"project": project["id"]})
            with lock:
                statuses.append(got.status_code)
            if got.status_code != 200:
                break
            done = w.post(f"/v1/work/{got.json()['assignment_id']}/submit",
                          json={"answer": {"text": "a " + got.json()["data"]["text"]}})
            with lock:
                statuses.append(done.status_code)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    started.wait()
    with org.http() as http:
        erased = http.delete(f"/v1/projects/{project['id']}")
    for t in threads:
        t.join()
    assert erased.status_code == 200, erased.text
    assert all(s < 500 for s in statuses), statuses
    assert set(statuses) <= {200, 204, 404, 409}, statuses
    with db.read() as s:  # through the models: sealed values are opened
        tasks = s.execute(select(Task.data, Task.result, Task.status)
                          .where(Task.project_id == project["id"])).all()
        answers = s.scalars(select(Response.answer)
                            .where(Response.project_id == project["id"])).all()
    assert len(tasks) == 60
    assert {(str(d), r, st) for d, r, st in tasks} == {("{}", None, "erased")}
    assert all(a == {} for a in answers)
    assert secret not in str(answers)


def test_a_review_of_an_erased_task_reads_like_a_missing_one(org: Org) -> None:
    project = text_project(org, quality={"overlap": 1, "review_rate": 1.0})
    worker = org.worker()
    reviewer = org.worker()
    org.client.add_reviewer(project["id"], reviewer.me()["worker_id"])
    task = answered_task(org, project, worker, marker())
    held = reviewer.next_review(project["id"])
    assert held is not None and held["task_id"] == task["id"]
    with org.http() as http:
        assert http.delete(f"/v1/tasks/{task['id']}").status_code == 200
    r = reviewer._http
    missing = "tsk_" + "0" * len(task["id"][4:])
    late = r.post(f"/v1/review/{task['id']}", json={"verdict": "accept"})
    never = r.post(f"/v1/review/{missing}", json={"verdict": "accept"})
    assert late.status_code == 404, late.text
    assert masked(late, task["id"]) == masked(never, missing)
    assert r.post("/v1/review/next", json={"project": project["id"]}).status_code == 204
