"""A web session ends after ASSAY_SESSION_IDLE_S without a request; requests keep it alive
(an injected clock; nobody sleeps)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assay.clock import ManualClock
from assay.db.engine import Database
from tests.support import InProcessServer, make_org
from tests.web.support import signed_in_client, worker_account


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def clocked(db_url: str, clock: ManualClock) -> Iterator[InProcessServer]:
    server = InProcessServer(db_url, clock, {"ASSAY_SESSION_IDLE_S": "600"}).start()
    yield server
    server.stop()


def test_an_idle_session_ends_and_an_active_one_lives(clocked: InProcessServer,
                                                      clock: ManualClock,
                                                      db: Database) -> None:
    org = make_org(clocked.url, db, "Idle")
    worker = worker_account(org)
    with signed_in_client(clocked.url, worker) as http:
        for _ in range(4):  # 20 minutes in all, never 10 without a request
            clock.advance(300)
            assert http.get("/v1/work/me").status_code == 200
        assert http.get("/login").status_code == 303  # signed in: on to the work list
        clock.advance(601)
        assert http.get("/v1/work/me").status_code == 401
        assert http.get("/login").status_code == 200  # the sign-in form again
