"""Plugging the web UI into the app: its middleware, its pages and its static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from assay.db.engine import Database
from assay.web import dashboard_views, project_form_views, signin_views, worker_views
from assay.web.middleware import WebSessionMiddleware
from assay.web.pages import STATIC_DIR


def install(app: FastAPI, db: Database) -> None:
    app.add_middleware(WebSessionMiddleware, db=db)
    # project_form_views first: its /projects/new must win over /projects/{project_id}.
    for module in (signin_views, worker_views, project_form_views, dashboard_views):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
