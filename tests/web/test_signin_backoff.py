"""Sign-in back-off is temporary and a success resets the account's count (an injected
clock moves the windows; nobody sleeps)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from assay.clock import ManualClock
from assay.db.engine import Database
from tests.support import InProcessServer, make_org
from tests.web.support import browser_client, sign_in, worker_account

LIMITS = {"ASSAY_SIGNIN_ACCOUNT_LIMITS": "3/60,5/3600", "ASSAY_SIGNIN_ADDRESS_LIMITS": "8/60"}


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def clocked(db_url: str, clock: ManualClock) -> Iterator[InProcessServer]:
    server = InProcessServer(db_url, clock, LIMITS).start()
    yield server
    server.stop()


def _try(url: str, email: str, password: str) -> httpx.Response:
    with browser_client(url) as http:
        return sign_in(http, email, password)


def _retry_after(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    return int(response.headers["retry-after"])


def test_back_off_is_temporary_and_a_success_resets_the_account(
        clocked: InProcessServer, clock: ManualClock, db: Database) -> None:
    org = make_org(clocked.url, db, "Clocked")
    user = worker_account(org)
    for _ in range(3):
        assert _try(clocked.url, user.email, "nope").status_code == 401
    assert _retry_after(_try(clocked.url, user.email, "nope")) == 60
    clock.advance(30)
    assert _retry_after(_try(clocked.url, user.email, user.password)) == 30
    clock.advance(30)
    assert _try(clocked.url, user.email, user.password).status_code == 303
    # The success cleared the account: three more failures before the next refusal.
    for _ in range(3):
        assert _try(clocked.url, user.email, "nope").status_code == 401
    assert _retry_after(_try(clocked.url, user.email, "nope")) == 60
    clock.advance(60)
    # Five an hour: two more, then the hour's window decides how long to wait.
    for _ in range(2):
        assert _try(clocked.url, user.email, "nope").status_code == 401
    wait = _retry_after(_try(clocked.url, user.email, user.password))
    assert wait == 3600 - 60
    clock.advance(wait)
    assert _try(clocked.url, user.email, user.password).status_code == 303
