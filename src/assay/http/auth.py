"""Credentials at the HTTP edge: API keys for customer routes, tokens for worker routes,
and the role each customer route requires.

A short in-process cache keeps the digest lookup off the hot path of the work endpoints:
a worker token's entry lives for ``_TTL_S`` seconds, so a removed worker stops working
within that. API keys are never cached: a key's row is read on every request (one indexed
lookup), so a revoked key is refused at once by every server process sharing the
database (API.md, "The organization").

Which role each route needs: reads take :func:`require_requester` (any role), changes and
exports :func:`require_member`, the organization's administration (``/v1/org/...``)
:func:`require_admin`. ``tests/test_roles.py`` holds the table and checks every route.
"""

from __future__ import annotations

import base64
import random
import threading
import time

import anyio.to_thread
from fastapi import Request

from assay.accounts import service as accounts
from assay.accounts.service import Requester, WorkerPrincipal
from assay.clock import Clock
from assay.db.engine import Database
from assay.errors import Forbidden, Unauthorized

_TTL_S = 10.0
_cache: dict[str, tuple[float, Requester | WorkerPrincipal | None]] = {}
_lock = threading.Lock()


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_db(request: Request) -> Database:
    """The dependency form of :func:`database` (async: no thread-pool trip)."""
    return database(request)


async def get_clock(request: Request) -> Clock:
    """The app's one clock (``create_app(clock=...)``)."""
    clock: Clock = request.app.state.clock
    return clock


async def get_rng(request: Request) -> random.Random:
    """The app's one random source (``create_app(rng=...)``): gold and review draws."""
    rng: random.Random = request.app.state.rng
    return rng


def _credential(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer" and value.strip():
        return value.strip()
    if scheme == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        username, _, _password = decoded.partition(":")
        return username or None
    return None


def _cached(credential: str) -> tuple[bool, Requester | WorkerPrincipal | None]:
    with _lock:
        hit = _cache.get(credential)
    if hit is not None and hit[0] > time.monotonic():
        return True, hit[1]
    return False, None


def _lookup(db: Database, credential: str) -> Requester | WorkerPrincipal | None:
    now = time.monotonic()
    with db.read() as session:
        principal: Requester | WorkerPrincipal | None
        if credential.startswith("ak_"):
            principal = accounts.authenticate_api_key(session, credential)
        elif credential.startswith("wt_"):
            principal = accounts.authenticate_worker_token(session, credential)
        else:
            principal = None
    if not credential.startswith("wt_"):
        return principal
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[credential] = (now + _TTL_S, principal)
    return principal


def _session_principal(request: Request) -> Requester | WorkerPrincipal | None:
    principal = getattr(request.state, "principal", None)
    if isinstance(principal, Requester | WorkerPrincipal):
        return principal
    return None


async def _principal(request: Request) -> Requester | WorkerPrincipal | None:
    """Who is calling. Async so that the usual case, a cached credential, costs no trip to
    the thread pool; a miss reads the database in a worker thread."""
    credential = _credential(request)
    if not credential:
        return _session_principal(request)
    if credential.startswith("wt_"):
        found, principal = _cached(credential)
        if found:
            return principal
    return await anyio.to_thread.run_sync(_lookup, database(request), credential)


async def require_requester(request: Request) -> Requester:
    principal = await _principal(request)
    if not isinstance(principal, Requester):
        raise Unauthorized("an API key is required (Authorization: Bearer <key>)")
    return principal


async def require_member(request: Request) -> Requester:
    """A customer call that changes something: an ``admin`` or ``member`` key or user.

    A ``viewer`` reads projects, tasks, results and figures but changes nothing and cannot
    export (API.md, "The organization")."""
    requester = await require_requester(request)
    if requester.role not in ("admin", "member"):
        raise Forbidden(f"a {requester.role} cannot do this; it needs the member or admin role",
                        code="forbidden_role")
    return requester


async def require_admin(request: Request) -> Requester:
    """A customer call that administers the organization: members, keys, secrets, workers."""
    requester = await require_requester(request)
    if requester.role != "admin":
        raise Forbidden(f"a {requester.role} cannot do this; it needs the admin role",
                        code="forbidden_role")
    return requester


async def require_user(request: Request) -> Requester:
    """A member signed in to the web UI, whatever their role (their own account: the
    password); an API key has no account of its own → ``403 user_required``."""
    requester = await require_requester(request)
    if requester.user_id is None:
        raise Forbidden("only a signed-in member can do this; an API key cannot",
                        code="user_required")
    return requester


async def refuse_viewer_session(request: Request) -> None:
    """For the web UI's pages and forms that change something (``/projects/new``): a
    signed-in ``viewer`` gets ``403 forbidden_role``; anyone else is left to the page,
    which sends a stranger to sign in and a worker to their own pages."""
    principal = _session_principal(request)
    if isinstance(principal, Requester) and principal.role not in ("admin", "member"):
        raise Forbidden(f"a {principal.role} cannot do this; it needs the member or admin "
                        "role", code="forbidden_role")


async def require_worker(request: Request) -> WorkerPrincipal:
    principal = await _principal(request)
    if not isinstance(principal, WorkerPrincipal):
        raise Unauthorized("a worker token is required (Authorization: Bearer <token>)")
    return principal
