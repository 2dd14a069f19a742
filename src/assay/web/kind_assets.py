"""The browser side of the kinds: each kind's labeling widget, served from its own folder.

- ``/static/kinds/<name>.js``: the kind's ``widget.js``, an ES module whose default export
  draws a task (``web/static/widgets.js`` says what a widget does).
- ``/static/kinds/index.js``: a module the registry writes, importing every kind's widget
  and exporting them by name as ``WIDGETS``; ``widgets.js`` imports it.
- ``/static/kinds/index.css``: every kind's ``widget.css``, one after the other.

They live under ``/static``, like the rest of the pages' scripts, so the
Content-Security-Policy (``script-src 'self'``, no inline script) holds as it is. Only these
names are served: nothing else of a kind's folder (its Python source) is reachable.
"""

from __future__ import annotations

import json
from functools import cache

from fastapi import APIRouter
from fastapi.responses import Response

from assay.errors import NotFound
from assay.kinds import KIND_NAMES, kind_folder

router = APIRouter(include_in_schema=False)

JAVASCRIPT = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
# Like the other static files: the page's ?v= version changes with every release.
CACHE = {"cache-control": "no-cache"}


@cache
def widget_index() -> str:
    """The module that gathers every kind's widget."""
    lines = ["// Written by the server from the kind registry (assay.kinds): every kind's",
             "// labeling widget, by kind name.", ""]
    for i, name in enumerate(KIND_NAMES):
        lines.append(f"import widget{i} from {json.dumps(f'./{name}.js')};")
    entries = ", ".join(f"{json.dumps(name)}: widget{i}" for i, name in enumerate(KIND_NAMES))
    lines += ["", f"export const WIDGETS = Object.freeze({{ {entries} }});", ""]
    return "\n".join(lines)


@cache
def widget_styles() -> str:
    """Every kind's ``widget.css``, in the registry's order."""
    parts = []
    for name in KIND_NAMES:
        path = kind_folder(name) / "widget.css"
        if path.is_file():
            parts.append(f"/* {name} */\n{path.read_text(encoding='utf-8')}")
    return "\n".join(parts)


@cache
def widget_source(name: str) -> str:
    return (kind_folder(name) / "widget.js").read_text(encoding="utf-8")


@router.get("/static/kinds/index.js")
def index_module() -> Response:
    return Response(widget_index(), media_type=JAVASCRIPT, headers=CACHE)


@router.get("/static/kinds/index.css")
def index_styles() -> Response:
    return Response(widget_styles(), media_type=CSS, headers=CACHE)


@router.get("/static/kinds/{name}.js")
def widget_module(name: str) -> Response:
    if name not in KIND_NAMES:
        raise NotFound(f"no kind named {name!r}")
    return Response(widget_source(name), media_type=JAVASCRIPT, headers=CACHE)
