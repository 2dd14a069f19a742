"""Plugging the web UI into the app: its middleware, its pages and its static files."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from assay.db.engine import Database
from assay.http.errors import http_error
from assay.web import (
    api_docs_views,
    curation_views,
    dashboard_views,
    data_views,
    evaluation_views,
    gold_views,
    kind_assets,
    org_views,
    preview_views,
    progress_views,
    project_form_views,
    quality_views,
    settings_views,
    signin_views,
    worker_views,
    workforce_views,
)
from assay.web.middleware import WebSessionMiddleware
from assay.web.pages import STATIC_DIR, error_page


async def _page_or_json(request: Request, exc: StarletteHTTPException) -> Response:
    """A browser that asks for a page outside the API gets an HTML error page; the API (and
    every client that does not ask for HTML) keeps its JSON errors."""
    wants_page = (request.method == "GET" and not request.url.path.startswith("/v1/")
                  and "text/html" in request.headers.get("accept", ""))
    if wants_page and exc.status_code == 404:
        return error_page(request, 404, "Page not found", "There is no page at this address.")
    return await http_error(request, exc)


def install(app: FastAPI, db: Database) -> None:
    app.add_exception_handler(StarletteHTTPException, _page_or_json)  # type: ignore[arg-type]
    idle = timedelta(seconds=app.state.settings.session_idle_s)
    app.add_middleware(WebSessionMiddleware, db=db, idle=idle, clock=app.state.clock)
    # project_form_views first: its /projects/new must win over /projects/{project_id};
    # kind_assets before the /static mount, which would answer its paths with a 404.
    for module in (signin_views, worker_views, project_form_views, dashboard_views,
                   progress_views, data_views, org_views, quality_views, evaluation_views,
                   curation_views, settings_views, preview_views, gold_views,
                   workforce_views, kind_assets,
                   api_docs_views):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
