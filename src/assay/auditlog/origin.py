"""Where a request comes from, for the entries it appends: the client's address.

A pure ASGI middleware puts the address in a context variable for the length of the
request; the thread a route runs in sees it (Starlette copies the context into the thread
pool), so entries get it without every route taking the request. Outside a request (the
CLI, a job) there is none and ``ip`` is null. Behind a reverse proxy, run uvicorn with
``--proxy-headers`` so that the client's own address is the one seen here.
"""

from __future__ import annotations

from contextvars import ContextVar

from starlette.types import ASGIApp, Receive, Scope, Send

client_address: ContextVar[str | None] = ContextVar("assay_client_address", default=None)


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = client_address.set(str(client[0])[:64] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            client_address.reset(token)
