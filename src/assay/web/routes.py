"""Plugging the web UI into the app: its middleware, its pages and its static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from assay.db.engine import Database
from assay.web import dashboard_views, signin_views, worker_views
from assay.web.middleware import WebSessionMiddleware
from assay.web.pages import STATIC_DIR


def install(app: FastAPI, db: Database) -> None:
    app.add_middleware(WebSessionMiddleware, db=db)
    for module in (signin_views, worker_views, dashboard_views):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
