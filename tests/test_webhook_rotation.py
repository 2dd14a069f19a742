"""Webhook secret rotation: for 24 hours after a rotation each callback carries two
signatures (new, then old) that a receiver holding either secret verifies; afterwards only
the new one. The 24 hours pass on an injected clock."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from assay.callbacks.signing import sign, verify
from assay.clock import ManualClock, isoformat
from assay.db.engine import Database
from tests.support import InProcessServer, Org, categorize_project, make_org
from tests.test_callbacks import Receiver


def test_a_header_with_two_signatures_verifies_with_either_secret() -> None:
    body = b'{"event":"task.completed"}'
    header = sign(("whsec_new", "whsec_old"), body, 1_000)
    t, first, second = header.split(",")
    assert t == "t=1000" and first.startswith("v1=") and second.startswith("v1=")
    assert first == sign("whsec_new", body, 1_000).split(",")[1]
    for secret in ("whsec_new", "whsec_old"):
        assert verify(secret, body, header, now=1_000)
    assert not verify("whsec_other", body, header, now=1_000)
    assert not verify("whsec_new", body + b" ", header, now=1_000)
    assert not verify("whsec_new", body, header, now=2_000)  # too old
    assert not verify("whsec_new", body, "t=1000,t=1001," + first, now=1_000)


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    # Two days behind the machine's clock: a callback job is queued on the app's clock and
    # claimed on the machine's, so the app's time must never run ahead of the machine's.
    return ManualClock(datetime.now(UTC) - timedelta(hours=48))


@pytest.fixture(scope="module")
def clocked(db_url: str, clock: ManualClock) -> Iterator[InProcessServer]:
    server = InProcessServer(db_url, clock, env={"ASSAY_RUN_JOBS": "1"}).start()
    yield server
    server.stop()


def _signature_after_completion(org: Org, receiver: Receiver, project_id: str) -> tuple[
        str, bytes]:
    task = org.client.create_task(project_id, {"text": "x"})
    worker = org.worker()
    offer = worker.next(project_id)
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for headers, body in receiver.calls:
            if json.loads(body)["task"]["id"] == task["id"]:
                return headers["Assay-Signature"], body
        time.sleep(0.05)
    raise AssertionError("no callback arrived")


def test_callbacks_carry_both_signatures_for_24_hours(clocked: InProcessServer, db: Database,
                                                      clock: ManualClock) -> None:
    org = make_org(clocked.url, db, "Rotating")
    receiver = Receiver()
    try:
        project = categorize_project(org, callback_url=receiver.url)
        old = org.webhook_secret
        with org.http() as http:
            rotated = http.post("/v1/org/webhook_secret/rotate")
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["webhook_secret"]
        assert new.startswith("whsec_") and new != old
        assert rotated.json()["previous_valid_until"] == isoformat(
            clock.now() + timedelta(hours=24))

        header, body = _signature_after_completion(org, receiver, project["id"])
        assert header.count("v1=") == 2
        assert verify(new, body, header) and verify(old, body, header)
        assert header.split(",")[1] == sign(new, body, int(header[2:].split(",")[0])).split(
            ",")[1]  # the new secret's signature comes first

        clock.advance(23 * 3600)
        header, body = _signature_after_completion(org, receiver, project["id"])
        assert header.count("v1=") == 2 and verify(old, body, header)

        clock.advance(3600 + 1)
        header, body = _signature_after_completion(org, receiver, project["id"])
        assert header.count("v1=") == 1
        assert verify(new, body, header) and not verify(old, body, header)
    finally:
        receiver.close()


def test_a_second_rotation_keeps_only_the_secret_it_replaced(clocked: InProcessServer,
                                                             db: Database) -> None:
    org = make_org(clocked.url, db, "Twice")
    receiver = Receiver()
    try:
        project = categorize_project(org, callback_url=receiver.url)
        with org.http() as http:
            middle = http.post("/v1/org/webhook_secret/rotate").json()["webhook_secret"]
            newest = http.post("/v1/org/webhook_secret/rotate").json()["webhook_secret"]
        header, body = _signature_after_completion(org, receiver, project["id"])
        assert verify(newest, body, header) and verify(middle, body, header)
        assert not verify(org.webhook_secret, body, header)
    finally:
        receiver.close()
