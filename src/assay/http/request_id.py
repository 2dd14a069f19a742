"""A request id on every request: the client's ``X-Request-Id`` when it is a sane token,
else a fresh one; sent back in the response's ``X-Request-Id``, put on every log record
written while the request runs (``request_id``), and in the body of a 500, so a user's
report finds the server's log lines.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assay.http.errors import error_response

log = logging.getLogger("assay")
HEADER = b"x-request-id"
_SANE = re.compile(rb"[A-Za-z0-9._:-]{1,128}")

current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id",
                                                                      default=None)


def new_id() -> str:
    return "req_" + os.urandom(8).hex()


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == HEADER), None)
        request_id = given.decode() if given and _SANE.fullmatch(given) else new_id()
        token = current.set(request_id)
        raw = request_id.encode()
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), (HEADER, raw)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Answered here rather than by the framework's last-resort handler, which runs
            # outside this middleware: the log line and the body then carry the id.
            if started:
                raise
            log.exception("unhandled error")
            response = error_response(500, "internal_error", "an internal error occurred",
                                      {"request_id": request_id})
            await response(scope, receive, send_with_id)
        finally:
            current.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the running request's id (or None) on each record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True
