"""The callback delivery log (GET /v1/callbacks) and redelivery, over real HTTP on SQLite
and PostgreSQL: delivered, retried and failed deliveries with their attempts and status
codes; a redelivery signed like the first and refused while one is pending; bad query
values named; another organization's records hidden."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from assay.callbacks.signing import verify
from assay.tasks.callbacks_api import CallbackDeliveryDoc, CallbackDeliveryPage
from tests.support import Org, categorize_project


class Receiver:
    """A loopback endpoint that records what it is sent, answers ``status``, waits
    ``delay_s`` (or until ``gate`` opens) per call and counts calls in flight at once."""

    def __init__(self, status: int = 200, delay_s: float = 0.0) -> None:
        self.status = status
        self.delay_s = delay_s
        self.gate = threading.Event()
        self.gate.set()
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a pooled client expects

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    receiver.in_flight += 1
                    receiver.most_in_flight = max(receiver.most_in_flight,
                                                  receiver.in_flight)
                try:
                    receiver.gate.wait(60)
                    if receiver.delay_s:
                        time.sleep(receiver.delay_s)
                    with receiver._lock:
                        receiver.calls.append((dict(self.headers), body))
                        status = receiver.status
                finally:
                    with receiver._lock:
                        receiver.in_flight -= 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def complete(org: Org, project_id: str) -> dict[str, Any]:
    task = org.client.create_task(project_id, {"text": "x"})
    worker = org.worker()
    offer = worker.next(project_id)
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    return task


def log_of(org: Org, **params: Any) -> list[dict[str, Any]]:
    with org.http() as http:
        r = http.get("/v1/callbacks", params=params)
    assert r.status_code == 200, r.text
    docs: list[dict[str, Any]] = r.json()["docs"]
    return docs


def _settled(org: Org, task_id: str, status: str) -> list[dict[str, Any]] | None:
    docs = log_of(org, task=task_id)
    return docs if docs and all(d["status"] == status for d in docs) else None


def test_a_delivered_callback_is_logged(org: Org, receiver: Receiver) -> None:
    project = categorize_project(org, callback_url=receiver.url)
    task = complete(org, project["id"])
    [record] = wait_for(lambda: _settled(org, task["id"], "delivered"))
    assert record["task"] == task["id"] and record["object"] == "callback_delivery"
    assert record["host"] == receiver.host  # the host, never the path
    assert "/hook" not in str(record)
    assert record["attempts"] == 1 and record["last_status_code"] == 200
    assert record["last_error"] is None and record["next_try"] is None
    assert record["delivered_at"] is not None
    assert record in log_of(org, status="delivered")
    assert record not in log_of(org, status="pending") + log_of(org, status="failed")
    assert len(receiver.calls) == 1
    with org.http() as http:
        CallbackDeliveryPage.model_validate(http.get("/v1/callbacks").json())


def test_a_retried_callback_shows_each_attempt(org: Org) -> None:
    flaky = Receiver(status=503)
    try:
        project = categorize_project(org, callback_url=flaky.url)
        task = complete(org, project["id"])
        [retrying] = wait_for(lambda: [d for d in log_of(org, task=task["id"])
                                       if d["attempts"] >= 1])
        assert retrying["status"] == "pending" and retrying["last_status_code"] == 503
        assert retrying["last_error"] == "HTTP 503" and retrying["next_try"] is not None
        assert retrying["delivered_at"] is None
        flaky.status = 200
        [record] = wait_for(lambda: _settled(org, task["id"], "delivered"))
        assert record["attempts"] >= 2 and record["last_status_code"] == 200
        assert record["attempts"] == len(flaky.calls)
    finally:
        flaky.close()


def test_a_failed_callback_is_logged_failed(org: Org) -> None:
    failing = Receiver(status=500)
    try:
        project = categorize_project(org, callback_url=failing.url)
        task = complete(org, project["id"])
        [record] = wait_for(lambda: _settled(org, task["id"], "failed"))
        # One first attempt plus one retry per configured backoff step (3 in the tests).
        assert record["attempts"] == 4 == len(failing.calls)
        assert record["last_status_code"] == 500 and record["last_error"] == "HTTP 500"
        assert record["next_try"] is None and record["delivered_at"] is None
        assert org.client.get_task(task["id"])["callback_succeeded"] is False
        assert record in log_of(org, status="failed")
    finally:
        failing.close()


def test_redeliver_sends_again_signed_and_409_while_pending(org: Org,
                                                           receiver: Receiver) -> None:
    project = categorize_project(org, callback_url=receiver.url)
    task = complete(org, project["id"])
    [first] = wait_for(lambda: _settled(org, task["id"], "delivered"))
    receiver.gate.clear()  # the redelivery stays in flight, so pending, until opened
    with org.http() as http:
        r = http.post(f"/v1/callbacks/{first['id']}/redeliver")
        assert r.status_code == 200, r.text
        fresh = r.json()
        CallbackDeliveryDoc.model_validate(fresh)
        assert fresh["id"] != first["id"] and fresh["task"] == task["id"]
        assert fresh["status"] == "pending" and fresh["attempts"] == 0
        again = http.post(f"/v1/callbacks/{first['id']}/redeliver")
        assert again.status_code == 409, again.text
        assert http.post(f"/v1/callbacks/{fresh['id']}/redeliver").status_code == 409
    receiver.gate.set()
    docs = wait_for(lambda: _settled(org, task["id"], "delivered"))
    assert [d["id"] for d in docs] == [first["id"], fresh["id"]]
    assert len(receiver.calls) == 2
    for headers, body in receiver.calls:
        assert verify(org.webhook_secret, body, headers["Assay-Signature"])
    assert receiver.calls[0][1] == receiver.calls[1][1]
    assert org.client.get_task(task["id"])["callback_succeeded"] is True
    with org.http() as http:  # the task's data left again: on the audit log, once
        audit = http.get("/v1/audit", params={"action": "callback.redeliver"}).json()["docs"]
    assert [d["object"] for d in audit] == [task["id"]]


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "sent"}, "status"),
    ({"limit": 0}, "limit"),
    ({"limit": 1001}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"next_token": "nonsense"}, "next_token"),
])
def test_bad_query_values_are_named(org: Org, params: dict[str, Any], field: str) -> None:
    with org.http() as http:
        r = http.get("/v1/callbacks", params=params)
    assert r.status_code == 422, r.text
    assert [f["field"] for f in r.json()["error"]["details"]["fields"]] == [field]


def test_pages_and_other_organizations(org: Org, other_org: Org, receiver: Receiver) -> None:
    project = categorize_project(org, callback_url=receiver.url)
    tasks = [complete(org, project["id"]) for _ in range(3)]
    for task in tasks:
        wait_for(lambda t=task: _settled(org, t["id"], "delivered"))
    seen: list[str] = []
    token = None
    with org.http() as http:
        while True:
            r = http.get("/v1/callbacks", params={"limit": 2,
                                                   **({"next_token": token} if token else {})})
            body = r.json()
            assert len(body["docs"]) <= 2
            seen += [d["id"] for d in body["docs"]]
            token = body["next_token"]
            if token is None:
                break
    assert len(seen) == len(set(seen)) and len(seen) >= 3
    assert {t["id"] for t in tasks} <= {d["task"] for d in log_of(org)}
    # Another organization sees none of them, by task or by id.
    assert log_of(other_org) == []
    assert log_of(other_org, task=tasks[0]["id"]) == log_of(other_org, task="tsk_missing")
    record = log_of(org, task=tasks[0]["id"])[0]
    with other_org.http() as http:
        foreign = http.post(f"/v1/callbacks/{record['id']}/redeliver")
        missing = http.post("/v1/callbacks/cbk_00000000000000000000000a/redeliver")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content.replace(record["id"].encode(), b"<id>") == \
        missing.content.replace(b"cbk_00000000000000000000000a", b"<id>")
    assert len(log_of(org, task=tasks[0]["id"])) == 1  # nothing was queued


def test_a_viewer_reads_the_log_but_cannot_redeliver(org: Org, receiver: Receiver) -> None:
    project = categorize_project(org, callback_url=receiver.url)
    task = complete(org, project["id"])
    [record] = wait_for(lambda: _settled(org, task["id"], "delivered"))
    with org.http() as http:
        key = http.post("/v1/org/keys", json={"name": "viewer", "role": "viewer"}).json()["key"]
    with httpx.Client(base_url=org.url, headers={"Authorization": f"Bearer {key}"}) as viewer:
        assert viewer.get("/v1/callbacks", params={"task": task["id"]}).json()["docs"] == [
            record]
        r = viewer.post(f"/v1/callbacks/{record['id']}/redeliver")
        assert r.status_code == 403, r.text
    assert len(log_of(org, task=task["id"])) == 1
