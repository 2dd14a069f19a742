"""The FastAPI application factory."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from assay import __version__, wiring
from assay.accounts.org_api import router as org_router
from assay.auditlog.api import router as audit_router
from assay.auditlog.origin import ClientAddressMiddleware
from assay.background import make_runner
from assay.batches.api import router as batches_router
from assay.clock import Clock, SystemClock
from assay.conversations import service as conversations
from assay.conversations.api import router as conversations_router
from assay.curation.api import router as curation_router
from assay.db.engine import Database
from assay.db.migrate import is_current
from assay.evaluations.api import router as evaluations_router
from assay.exports.api import router as export_router
from assay.http import errors
from assay.http.bodylimit import BodyLimitMiddleware, JsonBodyMiddleware
from assay.http.metrics import install as install_metrics
from assay.http.metrics import make_metrics
from assay.http.request_id import RequestIdMiddleware
from assay.http.text_guard import UnstorableTextMiddleware
from assay.jobs.queue import backlog
from assay.ledger.api import router as ledger_router
from assay.models.api import router as models_router
from assay.projects.api import router as projects_router
from assay.quality.api import router as quality_router
from assay.quality.appeals_api import router as appeals_router
from assay.quality.standing_api import router as standing_router
from assay.quality.workforce_api import router as workforce_router
from assay.review.api import router as review_router
from assay.settings import Settings
from assay.synthetic.api import router as synthetic_router
from assay.tasks.api import router as tasks_router
from assay.tasks.callbacks_api import router as callbacks_router
from assay.tasks.erasure_api import router as erasure_router
from assay.web.routes import install as install_web
from assay.work.api import router as work_router
from assay.work.clearances_api import router as clearances_router

log = logging.getLogger("assay")


API_DESCRIPTION = (
    "The Assay HTTP API, version 1. Every route, its parameters and its answers are listed "
    "at `/docs` on this server (no outside assets) and here in `/openapi.json`; the guides "
    "(task kinds, quality, security, deployment) are the `docs/` folder of the Assay "
    "source distribution.")


def create_app(settings: Settings | None = None, db: Database | None = None,
               clock: Clock | None = None, rng: random.Random | None = None) -> FastAPI:
    """The app. ``clock`` and ``rng`` are the one clock and random source its routes use
    (the machine's clock and a fresh generator unless a test gives its own)."""
    wiring.install()
    settings = settings or Settings.from_env()
    db = db or Database(settings.database_url)
    metrics = make_metrics(settings, db)
    clock = clock or SystemClock()
    # Callbacks, refits and sweeps; started only when this process runs jobs (not with
    # `assay serve --no-jobs`, whose work an `assay jobs` process does).
    runner = make_runner(db, settings, clock, metrics)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread
        anyio.to_thread.current_default_thread_limiter().total_tokens = 4
        if settings.run_jobs:
            runner.start()
        try:
            yield
        finally:
            if settings.run_jobs:
                runner.stop()
            db.dispose()

    # /docs is the web UI's own page (web/api_docs_views.py): FastAPI's viewers load their
    # assets from a CDN, blank on a server without internet access.
    app = FastAPI(title="Assay", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, description=API_DESCRIPTION)
    app.state.settings = settings
    app.state.db = db
    app.state.clock = clock
    app.state.rng = rng or random.Random()
    app.state.runner = runner
    # The review queue scores a task's answers against its result in the form the kind
    # matches; conversations (above review) know the candidates' models.
    app.state.resolve_answers = conversations.resolved_answers
    errors.install(app)
    # Every request's parameters and body are checked for text no database can store.
    app.add_middleware(UnstorableTextMiddleware)
    app.add_middleware(JsonBodyMiddleware)
    app.add_middleware(ClientAddressMiddleware)  # the address audit entries record
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)  # X-Request-Id, on log lines and 500 bodies

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["health"])
    def readyz() -> Any:
        try:
            current = is_current(db.engine)
        except Exception as exc:  # any database failure means "not ready"
            log.warning("readiness check failed: %s", exc)
            current = False
        if not current:
            return JSONResponse(
                errors.error_body("unavailable", "database unreachable or schema not current"),
                status_code=503, headers={"Retry-After": "5"})
        with db.read() as session:
            due, oldest_s = backlog(session, clock.now())
        # The backlog informs (a deployment may run no `assay jobs` for a while); only the
        # database and its schema decide readiness.
        return {"status": "ready", "schema": "current", "runs_jobs": settings.run_jobs,
                "jobs": {"due": due, "oldest_due_s": oldest_s}}

    # curation first: its /v1/tasks/search must not be taken for a task id.
    for router in (curation_router, projects_router, tasks_router, batches_router,
                   work_router, export_router, quality_router, review_router,
                   ledger_router, appeals_router,
                   standing_router, org_router, audit_router, erasure_router,
                   clearances_router, models_router, callbacks_router, conversations_router,
                   synthetic_router, workforce_router,
                   evaluations_router):
        app.include_router(router)
    install_web(app, db)
    install_metrics(app, metrics, settings.metrics_token)  # last: outermost middleware
    return app
