"""Sign-in throttling: how many failed sign-ins an account and a client address may have.

Limits are ``(failures, seconds)`` pairs (``ASSAY_SIGNIN_ACCOUNT_LIMITS``, default at most
10 a minute and 100 an hour per account; ``ASSAY_SIGNIN_ADDRESS_LIMITS``, default 100 a
minute per address). The failures live in the database (``signin_failures``), so every
server process sharing it counts the same ones. Windows slide: an attempt is refused while
a window already holds its number of failures, and ``Retry-After`` says when enough of them
will be old enough. Nothing is locked for good: the refusal ends as the window moves.

An attempt is counted *before* its password is checked, in one write transaction with the
check of the limits, so concurrent guesses on several processes cannot slip past a limit
together (PostgreSQL takes an advisory lock per key; SQLite has one writer). A sign-in
that succeeds takes its own address failure back and clears the account's failures. A
refused attempt checks no password and is not counted.

Accounts are keyed by the SHA-256 of the email as typed (trimmed, lower-cased), whether or
not an account has it, so that throttling tells nobody which emails exist; addresses by
the SHA-256 of the client address.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from assay.accounts import repository

ACCOUNT, ADDRESS = "account", "address"
Limits = tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class Attempt:
    """A counted attempt: the keys it was counted under, and its address row."""

    account: str
    address_row: int


@dataclass(frozen=True)
class Throttled:
    """A refused attempt, and in how many seconds one may be made again."""

    retry_after: int


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def account_key(email: str) -> str:
    return _digest(email.strip().lower())


def address_key(address: str) -> str:
    return _digest(address)


def wait_seconds(failures: list[datetime], limits: Limits, now: datetime) -> int:
    """Seconds until another failure fits under every limit, given the times of past
    failures (oldest first); 0 when one fits now.

    >>> t0 = datetime(2026, 1, 1)
    >>> past = [t0 + timedelta(seconds=s) for s in (0, 10, 20)]
    >>> wait_seconds(past, ((3, 60.0),), t0 + timedelta(seconds=30))
    30
    >>> wait_seconds(past, ((3, 60.0),), t0 + timedelta(seconds=60))
    0
    """
    wait = 0.0
    for allowed, seconds in limits:
        inside = [t for t in failures if t > now - timedelta(seconds=seconds)]
        if len(inside) >= allowed:
            # The oldest failures must leave the window until one fewer than allowed stay.
            leaving = inside[len(inside) - allowed]
            wait = max(wait, (leaving + timedelta(seconds=seconds) - now).total_seconds())
    return math.ceil(wait) if wait > 0 else 0


def begin_attempt(session: Session, email: str, address: str, now: datetime,
                  account_limits: Limits, address_limits: Limits) -> Attempt | Throttled:
    """Refuse the attempt when a limit is reached; otherwise count it as a failure (taken
    back by :func:`succeeded`) and return it."""
    account, addr = account_key(email), address_key(address)
    repository.lock_signin_keys(session, [account, addr])
    longest = max(s for _, s in (*account_limits, *address_limits))
    since = now - timedelta(seconds=longest)
    repository.delete_signin_failures_before(session, since)
    wait = max(wait_seconds(repository.list_signin_failures(session, ACCOUNT, account, since),
                            account_limits, now),
               wait_seconds(repository.list_signin_failures(session, ADDRESS, addr, since),
                            address_limits, now))
    if wait:
        return Throttled(wait)
    repository.add_signin_failure(session, ACCOUNT, account, now)
    row = repository.add_signin_failure(session, ADDRESS, addr, now)
    return Attempt(account, row)


def succeeded(session: Session, attempt: Attempt) -> None:
    """The password was right: the account starts afresh, and this attempt is no failure
    of its address."""
    repository.delete_signin_failures(session, ACCOUNT, attempt.account)
    repository.delete_signin_failure(session, attempt.address_row)
