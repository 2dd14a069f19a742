"""The Prometheus side of ``GET /metrics`` (see :mod:`assay.http.metrics`): the series, the
collector that reads the database at scrape time, and the counting middleware. Imported only
when ``ASSAY_METRICS=1``, so a server without metrics never loads ``prometheus_client``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assay.clock import utcnow
from assay.db.engine import Database
from assay.db.models import Job, Task

CONTENT_TYPE = CONTENT_TYPE_LATEST
log = logging.getLogger("assay.metrics")
SUBMIT_ROUTE = ("POST", "/v1/work/{assignment_id}/submit")
UNMATCHED = "unmatched"  # a path no route serves: one label, whatever the path was
LIVE_JOBS = ("queued", "running")


class Metrics:
    """The process's series and the registry that serves them (with the database's)."""

    def __init__(self, db: Database) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "assay_http_requests", "HTTP requests answered, by method, route template and "
            "status.", ("method", "route", "status"), registry=self.registry)
        self.latency = Histogram(
            "assay_http_request_duration_seconds", "Time from a request's arrival to the end "
            "of its answer (streamed exports included), by method and route template.",
            ("method", "route"), registry=self.registry)
        self.answers = Counter(
            "assay_answers_submitted", "Answers accepted by this process "
            "(POST /v1/work/{assignment_id}/submit answered 2xx).", registry=self.registry)
        self.refits = Counter(
            "assay_refits", "Projects refitted by this process's job runner.",
            registry=self.registry)
        self.refit_duration = Histogram(
            "assay_refit_duration_seconds", "Time of one refit pass of this process's job "
            "runner over the projects due (passes that refitted at least one).",
            registry=self.registry,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))
        self.registry.register(DatabaseCollector(db))
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (self.requests.labels(method, route, str(status)),
                        self.latency.labels(method, route))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
        if (method, route) == SUBMIT_ROUTE and 200 <= status < 300:
            self.answers.inc()

    def timed_refit(self, refit: Callable[[Database], int]) -> Callable[[Database], int]:
        """``refit`` (``quality.refit.refit_due_projects``), timed when it refits anything."""
        def run(db: Database) -> int:
            start = time.perf_counter()
            done = refit(db)
            if done:
                self.refit_duration.observe(time.perf_counter() - start)
                self.refits.inc(done)
            return done

        return run

    def exposition(self) -> bytes:
        return bytes(generate_latest(self.registry))


class DatabaseCollector(Collector):
    """Figures of the whole database, read at each scrape (three grouped counts on indexed
    columns; no organization's content)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def describe(self) -> list[Any]:
        return []  # read at scrape time only, never at registration

    def collect(self) -> Iterator[GaugeMetricFamily]:
        reachable = GaugeMetricFamily("assay_database_reachable", "1 when this scrape could "
                                      "read the database figures below, else 0.")
        try:
            figures = list(self._figures())
        except SQLAlchemyError as exc:  # a scrape still answers, and says so
            log.warning("metrics: the database figures could not be read: %s", exc)
            figures = []
        reachable.add_metric([], 1.0 if figures else 0.0)
        yield reachable
        yield from figures

    def _figures(self) -> Iterator[GaugeMetricFamily]:
        tasks = GaugeMetricFamily("assay_tasks", "Tasks in the database, by status.",
                                  labels=("status",))
        jobs = GaugeMetricFamily("assay_jobs", "Jobs waiting or running, by kind and state "
                                 "(the job queue's depth).", labels=("kind", "state"))
        backlog = GaugeMetricFamily("assay_callback_backlog",
                                    "Callbacks not yet delivered (queued or being tried).")
        oldest = GaugeMetricFamily("assay_callback_oldest_seconds",
                                   "Age of the oldest callback not yet delivered (0: none).")
        now = utcnow()
        with self.db.read() as session:
            for status, count in session.execute(
                    select(Task.status, func.count()).group_by(Task.status)):
                tasks.add_metric([status], count)
            waiting = 0
            for kind, state, count in session.execute(
                    select(Job.kind, Job.status, func.count())
                    .where(Job.status.in_(LIVE_JOBS)).group_by(Job.kind, Job.status)):
                jobs.add_metric([kind, state], count)
                if kind == "callback":
                    waiting += count
            first: datetime | None = session.scalar(
                select(func.min(Job.created_at))
                .where(Job.status.in_(LIVE_JOBS), Job.kind == "callback"))
        backlog.add_metric([], waiting)
        oldest.add_metric([], max(0.0, (now - first).total_seconds()) if first else 0.0)
        return iter((tasks, jobs, backlog, oldest))


class MetricsMiddleware:
    """Counts every HTTP request by its route template (pure ASGI: no extra task, no body
    buffering)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            self.metrics.observe(scope["method"], route, status, time.perf_counter() - start)
