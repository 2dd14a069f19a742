"""Every request's text is checked before a route sees it: a path or query parameter, a
JSON body (keys too) or a form field holding U+0000 or an unpaired surrogate answers ``422``
naming the field, on SQLite and PostgreSQL alike, and nothing is written (see
``assay/storable.py`` for why).

This is an ASGI middleware rather than a FastAPI dependency because it runs on every
request, the labeling loop's included, and a dependency costs the framework's per-request
dependency bookkeeping. The middleware first screens the raw bytes, which is nearly free:
in JSON, U+0000 can only arrive as the escape ``\\u0000`` or a NUL byte, and a surrogate
only as an escape ``\\uD800`` to ``\\uDFFF`` or its UTF-8 form (``ED A0`` to ``ED BF``), which
Python's decoder lets through. Only a request one of those screens catches is parsed and
walked to name the field; a false alarm (an escaped backslash before ``u0000``, a
Hangul syllable) just costs that walk. A body the framework could not parse is left for it
to refuse (``invalid_json``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assay.errors import AssayError, field_error
from assay.http.errors import error_response
from assay.storable import MESSAGE, find_unstorable, is_storable

# Fields whose items a service checks one by one, to report them per item: a bulk import
# names each bad row and, with ``partial``, creates the others.
CHECKED_PER_ITEM: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/v1/tasks/bulk"): ("tasks",),
}

_SUSPECT_JSON = re.compile(rb"\x00|\\u0000|\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _content_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return str(value.decode("latin-1"))
    return ""


def _suspect(scope: Scope, body: bytes) -> bool:
    """Whether the request may hold unstorable text (False means it surely does not)."""
    if not is_storable(scope["path"]) or scope.get("query_string"):
        return True
    if not body:
        return False
    if _content_type(scope).startswith(_FORM_TYPES):
        return True
    return _SUSPECT_JSON.search(body) is not None


def _templates(app: Any) -> list[re.Pattern[str]]:
    """The API's path templates as patterns, literal ones first (``/v1/tasks/bulk`` before
    ``/v1/tasks/{task_id}``), from the app's OpenAPI document; built once per app."""
    state = getattr(app, "state", None)
    cached: list[re.Pattern[str]] | None = getattr(state, "text_guard_templates", None)
    if cached is None:
        paths = sorted(app.openapi().get("paths", {}), key=lambda p: (p.count("{"), p))
        cached = [re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(p)))
                  for p in paths]
        if state is not None:
            state.text_guard_templates = cached
    return cached


def _path_params(scope: Scope) -> dict[str, str]:
    """The parameters of the API route the path names (the router has not run yet); none
    for a page of the web UI, whose path is then named as a whole."""
    app = scope.get("app")
    if app is None or not hasattr(app, "openapi"):
        return {}
    for pattern in _templates(app):
        found = pattern.fullmatch(scope["path"])
        if found:
            return found.groupdict()
    return {}


async def _check(request: Request, body: bytes) -> None:
    """Raise a 422 naming the first parameter or body field that no database can store."""
    for name, value in _path_params(request.scope).items():
        if not is_storable(value):
            raise field_error(name, MESSAGE)
    if not is_storable(request.scope["path"]):
        raise field_error("path", MESSAGE)
    for name, value in request.query_params.multi_items():
        if not is_storable(name) or not is_storable(value):
            raise field_error(name if is_storable(name) else "query", MESSAGE)
    if not body:
        return
    content_type = _content_type(request.scope)
    if content_type.startswith(_FORM_TYPES):
        form = await request.form()
        for key, item in form.multi_items():
            if not is_storable(key) or (isinstance(item, str) and not is_storable(item)):
                raise field_error(key if is_storable(key) else "body", MESSAGE)
        return
    try:
        parsed = json.loads(body)
    except ValueError:
        return
    skipped = CHECKED_PER_ITEM.get((request.method, request.scope["path"]), ())
    if skipped and isinstance(parsed, dict):
        parsed = {k: v for k, v in parsed.items() if k not in skipped}
    bad = find_unstorable(parsed)
    if bad is not None:
        raise field_error(bad[0] or "body", bad[1])


class UnstorableTextMiddleware:
    """Refuse, with a JSON 422 naming the field, any request carrying text that no database
    can store; pass every other request through with its body replayed unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The body limit sits outside this middleware, so buffering here is bounded.
        messages: list[Message] = []
        chunks: list[bytes] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replay = iter(messages)

        async def replayed() -> Message:
            for message in replay:
                return message
            return await receive()

        if _suspect(scope, body):
            try:
                await _check(Request(scope, replayed), body)
            except AssayError as exc:
                response = error_response(exc.status, exc.code, exc.message, exc.details)
                await response(scope, receive, send)
                return
            # A form check consumed the replay: serve the app the same messages again.
            replay = iter(messages)
        await self.app(scope, replayed, send)
