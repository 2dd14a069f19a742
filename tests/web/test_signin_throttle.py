"""Sign-in throttling at /login: per account and per client address, counted in the
database, so across server processes, and answered 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from assay.db.engine import Database
from tests.support import ServerProcess, make_org
from tests.web.support import browser_client, sign_in, worker_account

LIMITS = {"ASSAY_SIGNIN_ACCOUNT_LIMITS": "3/60,5/3600", "ASSAY_SIGNIN_ADDRESS_LIMITS": "8/60"}


@pytest.fixture(scope="module")
def two_servers(db_url: str) -> Iterator[list[ServerProcess]]:
    servers = [ServerProcess(db_url, env=LIMITS).start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()


def _try(url: str, email: str, password: str) -> httpx.Response:
    with browser_client(url) as http:
        return sign_in(http, email, password)


def _retry_after(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "Too many failed sign-ins" in response.text
    return int(response.headers["retry-after"])


def test_failures_count_across_server_processes(two_servers: list[ServerProcess],
                                                db: Database) -> None:
    a, b = (s.url for s in two_servers)
    org = make_org(a, db, "Throttled")
    victim, other = worker_account(org), worker_account(org)
    # Three guesses, spread over two processes, fill the account's minute.
    for url in (a, b, a):
        assert _try(url, victim.email, "wrong password").status_code == 401
    for url in (a, b):
        assert 0 < _retry_after(_try(url, victim.email, "wrong password")) <= 60
        # While refused, even the right password is not checked.
        assert 0 < _retry_after(_try(url, victim.email, victim.password)) <= 60
    # Another account from the same address is not throttled by the first one...
    assert _try(b, other.email, other.password).status_code == 303
    # ...until the address has had its 8 failures, whatever the accounts (case and spaces
    # of an email do not make a new account).
    for n in range(5):
        email = f"  Nobody{n}@Example.com " if n else other.email
        assert _try((a, b)[n % 2], email, "wrong password").status_code == 401
    fresh = worker_account(org)
    assert 0 < _retry_after(_try(b, fresh.email, fresh.password)) <= 60
