"""``GET /metrics``: the server's figures in the Prometheus text format.

Off unless ``ASSAY_METRICS=1`` (then ``404`` like any unknown path); with
``ASSAY_METRICS_TOKEN`` set it also needs ``Authorization: Bearer <token>``.

Two kinds of series (:mod:`assay.http.prometheus` defines them, docs/operations.md lists
them):

- **this process**, counted as requests pass: requests by method, route template and
  status; their latency (histogram); answers submitted; refits and their duration. A
  middleware counts them, outside everything else, with two dictionary lookups and two
  locked additions a request (the children of each label set are kept, so
  ``labels()`` is not called on the request path). Prometheus adds them up over the
  processes it scrapes.
- **the whole database**, read when scraped, so every process answers the same: tasks by
  status (completions are ``assay_tasks{status="completed"}``), jobs waiting or running by
  kind (the queue depth), and callbacks not yet delivered with the age of the oldest.

Each app has its own registry, so two apps in one process (tests) count apart.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from assay.db.engine import Database
from assay.errors import Unauthorized
from assay.http.documents import ErrorDoc
from assay.settings import Settings

if TYPE_CHECKING:
    from assay.http.prometheus import Metrics


def make_metrics(settings: Settings, db: Database) -> Metrics | None:
    """The app's metrics when ``ASSAY_METRICS`` is on, else None."""
    if not settings.metrics:
        return None
    from assay.http.prometheus import Metrics

    return Metrics(db)


def install(app: Any, metrics: Metrics | None, token: str) -> None:
    """Add ``/metrics`` (always routed, so the OpenAPI document lists it) and, when on, the
    counting middleware, outermost: call it after every other middleware is added."""
    app.state.metrics = metrics
    app.include_router(_router(metrics, token))
    if metrics is not None:
        from assay.http.prometheus import MetricsMiddleware

        app.add_middleware(MetricsMiddleware, metrics=metrics)


def _router(metrics: Metrics | None, token: str) -> APIRouter:
    router = APIRouter(tags=["operations"])
    expected = f"Bearer {token}".encode()

    @router.get(
        "/metrics", response_class=Response,
        summary="The server's figures, Prometheus text format",
        description="Off (404) unless `ASSAY_METRICS=1`; with `ASSAY_METRICS_TOKEN` set it "
        "needs `Authorization: Bearer <token>` (else 401). Requests by route template and "
        "status, latencies, answers submitted and refits count this process; tasks by "
        "status, the job queue and the callback backlog are read from the database.",
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                         "description": "the Prometheus text exposition format"},
                   "4XX": {"model": ErrorDoc, "description": "off (404) or no token (401)"}})
    def metrics_route(request: Request) -> Response:
        if metrics is None:
            raise StarletteHTTPException(404, "Not Found")  # as any unknown path answers
        if token:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                raise Unauthorized("the metrics token is required "
                                   "(Authorization: Bearer <token>)")
        from assay.http.prometheus import CONTENT_TYPE

        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return router
