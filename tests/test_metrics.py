"""``GET /metrics`` over real HTTP: off by default, behind its token when one is set, and its
figures move with the load (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import Org, ServerProcess, categorize_project

TOKEN = "scrape-me-0123456789"


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Metrics on, behind a token; no job runner, so callbacks wait in the queue."""
    log = tmp_path_factory.mktemp("log") / "server.log"
    proc = ServerProcess(db_url, env={"ASSAY_METRICS": "1", "ASSAY_METRICS_TOKEN": TOKEN,
                                      "ASSAY_RUN_JOBS": "0"}, log_path=log).start()
    yield proc
    proc.stop()


def scrape(url: str, token: str | None = TOKEN) -> dict[tuple[str, tuple[tuple[str, str], ...]],
                                                       float]:
    """Every sample of ``/metrics`` by (name, sorted labels)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.get(url + "/metrics", headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples}


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
          **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_it_needs_the_token(org: Org) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"},
                    {"Authorization": f"Bearer {org.api_key}"}, {"Authorization": TOKEN}):
        response = httpx.get(org.url + "/metrics", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    scrape(org.url)


def test_its_figures_move_with_the_load(org: Org) -> None:
    before = scrape(org.url)
    project = categorize_project(org, callback_url="http://127.0.0.1:9/hook")
    org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}"}} for i in range(3)])
    worker = org.worker()
    submitted = 0
    while (offer := worker.next(project["id"])) is not None:
        worker.submit(offer["assignment_id"], {"label": "pos"})
        submitted += 1
    assert submitted == 3
    httpx.get(org.url + "/v1/no/such/path/12345")
    after = scrape(org.url)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    submit = {"method": "POST", "route": "/v1/work/{assignment_id}/submit"}
    assert moved("assay_http_requests_total", **submit, status="200") == 3
    assert moved("assay_http_request_duration_seconds_count", **submit) == 3
    assert moved("assay_answers_submitted_total") == 3
    assert moved("assay_http_requests_total", method="POST", route="/v1/projects",
                  status="201") == 1
    assert moved("assay_http_requests_total", method="GET", route="unmatched",
                  status="404") == 1
    # Read from the database: the tasks this test completed, their callbacks waiting.
    assert moved("assay_tasks", status="completed") == 3
    assert moved("assay_jobs", kind="callback", state="queued") == 3
    assert moved("assay_callback_backlog") == 3
    assert value(after, "assay_callback_oldest_seconds") >= 0
    assert value(after, "assay_database_reachable") == 1
    assert not any(name.startswith("assay_") and "tsk_" in str(labels)
                   for name, labels in after)


def test_it_is_in_the_openapi_document(org: Org) -> None:
    spec = httpx.get(org.url + "/openapi.json").json()
    operation = spec["paths"]["/metrics"]["get"]
    assert "text/plain" in operation["responses"]["200"]["content"]
    assert "4XX" in operation["responses"]


def test_it_is_off_unless_asked_for(db_url: str) -> None:
    plain = ServerProcess(db_url).start()
    try:
        response = httpx.get(plain.url + "/metrics")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        unknown = httpx.get(plain.url + "/no-such-page")
        assert response.content == unknown.content
    finally:
        plain.stop()


def test_refits_are_timed_where_they_run(db_url: str, org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 2})
    org.client.create_tasks(project["id"], [{"data": {"text": f"r{i}"}} for i in range(4)])
    for _ in range(2):
        worker = org.worker()
        while (offer := worker.next(project["id"])) is not None:
            worker.submit(offer["assignment_id"], {"label": "neg"})
    runner = ServerProcess(db_url, env={"ASSAY_METRICS": "1"}).start()  # jobs on, no token
    try:
        deadline = time.monotonic() + 60
        while True:
            samples = scrape(runner.url, token=None)
            if value(samples, "assay_refits_total") >= 1 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert value(samples, "assay_refits_total") >= 1
        assert value(samples, "assay_refit_duration_seconds_count") >= 1
    finally:
        runner.stop()
