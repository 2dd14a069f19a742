"""The audit log: what appends, `GET /v1/audit`, and a chain that never forks under
concurrent appends (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import httpx
import pytest

from assay.accounts import service as accounts
from assay.auditlog.chain import entry_id
from assay.auditlog.service import OPERATOR, Actor, record
from assay.auditlog.verify import verify_chain
from assay.cli import main
from assay.db.engine import Database
from assay.db.models import AuditEntry
from tests.support import Org, ServerProcess, categorize_project
from tests.web.support import signed_in_client, user_account

SECRET = "the customer's secret sentence"


def _entries(org: Org, **params: str) -> list[dict[str, object]]:
    docs: list[dict[str, object]] = []
    token = None
    with org.http() as http:
        while True:
            r = http.get("/v1/audit", params={**params, "limit": "3",
                                              **({"next_token": token} if token else {})})
            assert r.status_code == 200, r.text
            body = r.json()
            docs += body["docs"]
            token = body["next_token"]
            if token is None:
                return docs


def test_changes_and_reads_are_on_record(org: Org, other_org: Org,
                                         server: ServerProcess, db_url: str) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": SECRET})
    org.client.get_task(task["id"])
    org.client.get_task(task["id"], include_responses=True)
    org.client.list_tasks(project=project["id"])
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    with org.http() as http:
        assert http.get(f"/v1/projects/{project['id']}/export").status_code == 200
    worker_id = worker.me()["worker_id"]

    docs = _entries(org)
    mine = [(d["action"], d["object"]) for d in docs if d["action"] != "org.create"]
    assert mine == [
        ("project.create", project["id"]), ("task.create", task["id"]),
        ("task.read", task["id"]), ("task.read_answers", task["id"]),
        ("task.list", project["id"]), ("task.offer", task["id"]),
        ("task.answer", task["id"]), ("export.create", project["id"])]
    by_action = {d["action"]: d for d in docs}
    assert by_action["task.read"]["actor"] == {"type": "key", "id": _key_id(org)}
    assert by_action["task.offer"]["actor"] == {"type": "worker", "id": worker_id}
    assert by_action["task.read"]["ip"] == "127.0.0.1"
    assert [d["seq"] for d in docs] == list(range(docs[0]["seq"], docs[0]["seq"] + len(docs)))
    assert all(d["id"] == entry_id(int(d["seq"])) for d in docs)  # type: ignore[call-overload]
    with org.http() as http:
        assert SECRET not in http.get("/v1/audit", params={"limit": "1000"}).text

    # Filters.
    assert {d["object"] for d in _entries(org, object=task["id"])} == {task["id"]}
    assert {d["action"] for d in _entries(org, actor=worker_id)} == {"task.offer",
                                                                     "task.answer"}
    assert [d["object"] for d in _entries(org, action="task.read")] == [task["id"]]
    assert _entries(org, since="2999-01-01T00:00:00Z") == []
    assert len(_entries(org, since=str(docs[0]["at"]))) == len(docs)
    # Another organization's log holds none of it.
    assert all(d["object"] not in (project["id"], task["id"]) for d in _entries(other_org))
    # The chain the server wrote verifies.
    assert main(["audit", "verify", "--org", org.org_id, "--db", db_url]) == 0


def test_batches_gold_reviews_and_the_operator_are_on_record(org: Org, db_url: str) -> None:
    project = categorize_project(org, quality={"overlap": 1, "review_rate": 1.0})
    batch = org.client.create_batch(project["id"], "b1")
    task = org.client.create_task(project["id"], {"text": SECRET}, batch=batch["id"])
    org.client.finalize_batch(batch["id"])
    gold = org.client.add_gold(project["id"], {"text": "g"}, {"label": "pos"})
    list(org.client.iter_gold(project["id"]))
    worker, reviewer = org.worker(), org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    reviewer_id = reviewer.me()["worker_id"]
    org.client.add_reviewer(project["id"], reviewer_id)
    item = reviewer.next_review(project["id"])
    assert item is not None and item["task_id"] == task["id"]
    reviewer.review(task["id"], "accept")
    worker_id = worker.me()["worker_id"]
    for command in ("pause", "resume"):
        extra = ["--reason", "operator"] if command == "pause" else []
        assert main(["worker", command, worker_id, "--project", project["id"], *extra,
                     "--db", db_url]) == 0
    docs = _entries(org, since=str(_entries(org, object=project["id"])[0]["at"]))
    seen = [(d["action"], d["object"], d["actor"]["type"]) for d in docs  # type: ignore[index]
            if d["object"] in (project["id"], batch["id"], task["id"], gold["id"], worker_id)]
    assert seen == [
        ("project.create", project["id"], "key"), ("batch.create", batch["id"], "key"),
        ("task.create", task["id"], "key"), ("batch.finalize", batch["id"], "key"),
        ("gold.create", gold["id"], "key"), ("gold.list", project["id"], "key"),
        ("task.offer", task["id"], "worker"), ("task.answer", task["id"], "worker"),
        ("reviewer.add", project["id"], "key"), ("review.offer", task["id"], "worker"),
        ("review.submit", task["id"], "worker"), ("worker.pause", worker_id, "operator"),
        ("worker.resume", worker_id, "operator")]
    assert SECRET not in str(docs)


def test_organization_changes_are_on_record(org: Org) -> None:
    project = categorize_project(org)
    with org.http() as http:
        key = http.post("/v1/org/keys", json={"name": "ci", "role": "member"}).json()
        assert http.delete(f"/v1/org/keys/{key['id']}").status_code == 200
        member = http.post("/v1/org/members", json={
            "email": f"m-{project['id']}@example.com", "role": "member"}).json()
        user_id = member["user_id"]
        assert http.patch(f"/v1/org/members/{user_id}",
                          json={"role": "viewer"}).status_code == 200
        assert http.delete(f"/v1/org/members/{user_id}").status_code == 200
        assert http.post("/v1/org/webhook_secret/rotate").status_code == 200
    docs = _entries(org, since=str(_entries(org, object=project["id"])[0]["at"]))
    assert [(d["action"], d["object"]) for d in docs][1:] == [
        ("key.create", key["id"]), ("key.revoke", key["id"]), ("member.create", user_id),
        ("member.update", user_id), ("member.remove", user_id),
        ("webhook_secret.rotate", org.org_id)]


def test_the_dashboard_pages_that_show_task_data_are_on_record(org: Org) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": SECRET})
    user = user_account(org)
    with signed_in_client(org.url, user) as http:
        assert http.get(f"/projects/{project['id']}").status_code == 200
        assert http.get(f"/projects/{project['id']}/tasks/{task['id']}").status_code == 200
    docs = _entries(org, actor=user.subject_id)
    assert [(d["action"], d["object"], d["actor"]) for d in docs] == [
        ("task.list", project["id"], {"type": "user", "id": user.subject_id}),
        ("task.read", task["id"], {"type": "user", "id": user.subject_id})]


def _key_id(org: Org) -> str:
    with org.db.read() as session:
        principal = accounts.authenticate_api_key(session, org.api_key)
    assert principal is not None and principal.key_id is not None
    return principal.key_id


def test_a_failed_change_leaves_no_entry(org: Org) -> None:
    project = categorize_project(org)
    before = _entries(org, object=project["id"])
    with org.http() as http:
        r = http.patch(f"/v1/projects/{project['id']}",
                       json={"quality": {"overlap": 3, "max_overlap": 2}})
        assert r.status_code == 422
        assert http.get("/v1/tasks/tsk_00000000000000000000000a").status_code == 404
    assert _entries(org, object=project["id"]) == before


@pytest.mark.parametrize(("params", "field"), [
    ({"action": "DROP TABLE"}, "action"), ({"object": "x y"}, "object"),
    ({"actor": "nobody!"}, "actor"), ({"since": "yesterday"}, "since"),
    ({"limit": "0"}, "limit"), ({"next_token": "bm9wZQ"}, "next_token"),
    ({"next_token": "dHNrXzAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwYQ"}, "next_token")])
def test_a_bad_filter_is_named(org: Org, params: dict[str, str], field: str) -> None:
    with org.http() as http:
        r = http.get("/v1/audit", params=params)
    assert r.status_code == 422, r.text
    assert field in r.text


def test_only_an_admin_reads_the_log(org: Org, server: ServerProcess) -> None:
    key, _ = org.db.write(lambda s: accounts.create_api_key(s, org.org_id, "ci", "member"))
    r = httpx.get(server.url + "/v1/audit", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden_role"
    worker = org.worker()
    r = httpx.get(server.url + "/v1/audit", headers=worker._http.headers)
    assert r.status_code == 401


def test_an_entry_rolls_back_with_its_change(db: Database) -> None:
    org_id = db.write(lambda s: accounts.create_org(s, "Rollback")).org_id

    def fail(session: object) -> None:
        record(session, OPERATOR, "project.update", "prj_x", org_id=org_id)  # type: ignore[arg-type]
        raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        db.write(fail)  # type: ignore[arg-type]
    db.write(lambda s: record(s, OPERATOR, "project.update", "prj_y", org_id=org_id))
    with db.read() as session:
        rows = session.query(AuditEntry).filter(AuditEntry.org_id == org_id).all()
        assert [(r.seq, r.object) for r in rows] == [(1, "prj_y")]
        assert verify_chain(session, org_id).intact


def test_concurrent_appends_never_fork(db_url: str) -> None:
    """Threads over two engines (two write locks on SQLite, two pools on PostgreSQL) append
    to one organization at once: the seqs are gapless and the chain verifies."""
    engines = [Database(db_url), Database(db_url)]
    org_id = engines[0].write(lambda s: accounts.create_org(s, "Busy")).org_id
    threads, per_thread = 8, 25
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def append(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                engines[n % 2].write(lambda s, i=i: record(
                    s, Actor("worker", f"wrk_{n}"), "task.offer", f"tsk_{n}_{i}",
                    org_id=org_id))
        except BaseException as exc:  # reported below
            errors.append(exc)

    pool = [threading.Thread(target=append, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    with engines[0].read() as session:
        rows = session.query(AuditEntry).filter(AuditEntry.org_id == org_id).all()
        assert sorted(r.seq for r in rows) == list(range(1, threads * per_thread + 1))
        assert {r.object for r in rows} == {f"tsk_{n}_{i}" for n in range(threads)
                                            for i in range(per_thread)}
        verdict = verify_chain(session, org_id)
    assert verdict.intact and verdict.entries == threads * per_thread
    for engine in engines:
        engine.dispose()
