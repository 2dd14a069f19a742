"""Callbacks: signed POSTs from the job queue, retried with backoff, outcome recorded."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from assay.callbacks.signing import verify
from assay.client import ValidationFailed
from tests.support import Org, categorize_project


class Receiver:
    """A real HTTP endpoint on loopback that records what it is sent."""

    def __init__(self, status: int = 200, delay_s: float = 0.0) -> None:
        self.status = status
        self.calls: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(delay_s)  # a slow receiver, so that a kill lands mid-delivery
                receiver.calls.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _wait(predicate: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def _complete_one(org: Org, project_id: str, **task_fields: Any) -> dict[str, Any]:
    task = org.client.create_task(project_id, {"text": "x"}, **task_fields)
    worker = org.worker()
    offer = worker.next(project_id)
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    return task


def test_completion_posts_a_signed_callback(org: Org, receiver: Receiver) -> None:
    project = categorize_project(org, callback_url=receiver.url)
    task = _complete_one(org, project["id"])
    _wait(lambda: org.client.get_task(task["id"])["callback_succeeded"] is True)
    assert len(receiver.calls) == 1
    headers, body = receiver.calls[0]
    assert verify(org.webhook_secret, body, headers["Assay-Signature"])
    assert not verify("whsec_wrong", body, headers["Assay-Signature"])
    payload = json.loads(body)
    assert payload["event"] == "task.completed"
    assert payload["task"]["id"] == task["id"]
    assert payload["task"]["result"]["answer"] == {"label": "pos"}


def test_the_tasks_own_callback_url_wins(org: Org, receiver: Receiver) -> None:
    other = Receiver()
    try:
        project = categorize_project(org, callback_url=other.url)
        task = _complete_one(org, project["id"], callback_url=receiver.url)
        _wait(lambda: org.client.get_task(task["id"])["callback_succeeded"] is True)
        assert len(receiver.calls) == 1 and other.calls == []
    finally:
        other.close()


def test_failures_are_retried_then_recorded_false(org: Org) -> None:
    failing = Receiver(status=500)
    try:
        project = categorize_project(org, callback_url=failing.url)
        task = _complete_one(org, project["id"])
        assert org.client.get_task(task["id"])["callback_succeeded"] is None
        _wait(lambda: org.client.get_task(task["id"])["callback_succeeded"] is False)
        # One first attempt plus one retry per configured backoff step (3 in the tests).
        assert len(failing.calls) == 4
    finally:
        failing.close()


def test_a_retry_that_succeeds_records_true(org: Org) -> None:
    flaky = Receiver(status=503)
    try:
        project = categorize_project(org, callback_url=flaky.url)
        task = _complete_one(org, project["id"])
        _wait(lambda: len(flaky.calls) >= 1)
        flaky.status = 200
        _wait(lambda: org.client.get_task(task["id"])["callback_succeeded"] is True)
        assert len(flaky.calls) == 2
    finally:
        flaky.close()


@pytest.mark.parametrize("url", [
    "http://10.1.2.3/hook", "http://192.168.0.10/hook", "http://169.254.169.254/latest",
    "http://[::1]:9/hook", "ftp://example.com/hook", "http://127.0.0.2:8080/x",
    # Carrier-grade NAT space, and IPv6 forms that wrap an internal IPv4 address: 6to4 of
    # 127.0.0.1, Teredo with client 127.0.0.1, NAT64 of 10.0.0.1, IPv4-compatible loopback.
    "http://100.64.0.1/hook", "http://100.127.255.254/hook",
    "http://[2002:7f00:1::1]/hook", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",
    "http://[64:ff9b::a00:1]/hook", "http://[::127.0.0.1]/hook", "http://[64:ff9b:1::1]/x",
])
def test_private_and_odd_targets_are_refused(org: Org, url: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        categorize_project(org, callback_url=url)
    assert excinfo.value.details["fields"][0]["field"] == "callback_url"


@pytest.mark.parametrize("url", ["http://93.184.216.34/hook", "https://[2606:4700::1111]/h",
                                 "http://[2002:5db8:d822::1]/hook"])
def test_public_addresses_are_accepted(org: Org, url: str) -> None:
    assert categorize_project(org, callback_url=url)["callback_url"] == url


def test_unresolvable_names_are_accepted_when_set(org: Org) -> None:
    project = categorize_project(org, callback_url="https://hooks.invalid/assay")
    assert project["callback_url"] == "https://hooks.invalid/assay"
