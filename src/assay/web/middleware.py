"""The web UI's edge: who a session cookie signs in, CSRF for the JSON API when a cookie is
the credential, and the security headers of every response.

A request with an ``Authorization`` header is left exactly as it was: the API's credentials
(``assay.http.auth``) decide, and a cookie is ignored. Otherwise a live session cookie sets
``request.state.principal`` (read by ``assay.http.auth``) and ``request.state.web_session``.
"""

from __future__ import annotations

import json
from datetime import timedelta

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assay.clock import Clock, SystemClock
from assay.db.engine import Database
from assay.http.errors import error_body
from assay.web.sessions import (
    COOKIE,
    CSRF_HEADER,
    SignedIn,
    find_session,
    tokens_match,
    touch_every,
    touch_session,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Scripts only from this server's /static; no inline script, no eval, no plugins, no framing.
# Images may come from a task's own URL (http, https, or a data:image URL the boxes kind
# accepts; an image cannot run script), never from blob: URLs.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' http: https: data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
_NO_SESSION_PATHS = ("/static/", "/healthz", "/readyz", "/openapi.json")


class WebSessionMiddleware:
    def __init__(self, app: ASGIApp, db: Database, idle: timedelta | None = None,
                 clock: Clock | None = None) -> None:
        self.app = app
        self.db = db
        self.idle = idle
        self.clock = clock or SystemClock()

    def _lookup(self, token: str) -> SignedIn | None:
        now = self.clock.now()
        with self.db.read() as session:
            signed = find_session(session, token, now, self.idle)
        if (signed is not None and self.idle is not None
                and (signed.last_seen is None or signed.last_seen + touch_every(self.idle) <= now)):
            self.db.write(lambda s: touch_session(s, token, now))
        return signed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(send)
        path: str = scope["path"]
        if path.startswith(_NO_SESSION_PATHS):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        token = HTTPConnection(scope).cookies.get(COOKIE)
        if token and "authorization" not in headers:
            signed = await anyio.to_thread.run_sync(self._lookup, token)
            if signed is not None:
                state = scope.setdefault("state", {})
                state["principal"] = signed.principal
                state["web_session"] = signed
                if (path.startswith("/v1/") and scope["method"] not in SAFE_METHODS
                        and not tokens_match(signed.csrf_token, headers.get(CSRF_HEADER))):
                    await _refuse_csrf(send)
                    return
        await self.app(scope, receive, send)


def _with_security_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers.setdefault("x-content-type-options", "nosniff")
            if headers.get("content-type", "").startswith("text/html"):
                # A page may bring its own policy (the framed preview); any other gets this one.
                headers.setdefault("content-security-policy", CSP)
                headers.setdefault("x-frame-options", "DENY")
                headers.setdefault("referrer-policy", "same-origin")
        await send(message)
    return wrapped


async def _refuse_csrf(send: Send) -> None:
    raw = json.dumps(error_body(
        "csrf_failed", "the X-CSRF-Token header is missing or does not match the session")
    ).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})
