"""Every request's text is checked before a route sees it (an app-wide dependency): a path
or query parameter, a JSON body (keys too) or a form field holding U+0000 or an unpaired
surrogate answers ``422`` naming the field, on SQLite and PostgreSQL alike, and nothing is
written (see ``assay/storable.py`` for why).

The framework has already parsed a route's body when its dependencies run, so checking
reads the parsed value again instead of parsing twice. A body the framework could not
parse is left for it to refuse (``invalid_json``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from assay.errors import field_error
from assay.storable import MESSAGE, find_unstorable, is_storable

# Fields whose items a service checks one by one, to report them per item: a bulk import
# names each bad row and, with ``partial``, creates the others.
CHECKED_PER_ITEM: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/v1/tasks/bulk"): ("tasks",),
}


def _route_path(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", request.url.path))


async def _body(request: Request) -> Any:
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        if not await request.body():
            return None
        try:
            return await request.json()
        except ValueError:
            return None
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        for key, value in form.multi_items():
            if not is_storable(key) or (isinstance(value, str) and not is_storable(value)):
                raise field_error(key if is_storable(key) else "body", MESSAGE)
    return None


async def refuse_unstorable_text(request: Request) -> None:
    """Raise a 422 naming the first parameter or body field that no database can store."""
    for name, value in request.path_params.items():
        if isinstance(value, str) and not is_storable(value):
            raise field_error(name, MESSAGE)
    for name, value in request.query_params.multi_items():
        if not is_storable(name) or not is_storable(value):
            raise field_error(name if is_storable(name) else "query", MESSAGE)
    body = await _body(request)
    if body is None:
        return
    skipped = CHECKED_PER_ITEM.get((request.method, _route_path(request)), ())
    if skipped and isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in skipped}
    bad = find_unstorable(body)
    if bad is not None:
        raise field_error(bad[0] or "body", bad[1])
