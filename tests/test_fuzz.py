"""Random bodies, queries and ids against every route of the OpenAPI document: the answer
is always JSON in the error shape (or a success), never a 500, never HTML."""

from __future__ import annotations

import re
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import Org, categorize_project

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=12), c, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(["project", "data", "tasks", "name", "kind", "params", "quality",
                          "answer", "priority", "metadata", "unique_id", "batch", "partial",
                          "reason", "limit", "callback_url", "pay", "lease_seconds"])
BODIES = st.one_of(
    st.dictionaries(FIELDS, JSONISH, max_size=5),
    JSONISH,
    st.binary(max_size=40).map(lambda b: b),
)


def _check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code == 204:
        return
    assert response.headers["content-type"].startswith(("application/json",
                                                        "application/x-ndjson", "text/csv"))
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str)
        assert "Traceback" not in response.text


def test_random_requests_get_json_answers(org: Org) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": "x"})
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    gold = org.client.add_gold(project["id"], {"text": "g"}, {"label": "pos"})
    ids = {"project_id": project["id"], "task_id": task["id"],
           "assignment_id": offer["assignment_id"], "batch_id": "bat_0",
           "gold_id": gold["id"], "payout_id": "pay_0"}
    spec = httpx.get(org.url + "/openapi.json").json()
    routes = [(m.upper(), p) for p, ops in spec["paths"].items() for m in ops]
    key = {"Authorization": f"Bearer {org.api_key}"}
    token = {"Authorization": worker._http.headers["Authorization"]}
    http = httpx.Client(base_url=org.url, timeout=30)

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(route=st.sampled_from(routes), body=BODIES, junk_id=st.booleans(),
           query=st.dictionaries(st.sampled_from(["limit", "next_token", "status", "format",
                                                  "include", "updated_after", "project"]),
                                 st.text(max_size=10), max_size=3))
    def probe(route: tuple[str, str], body: Any, junk_id: bool, query: dict[str, str]) -> None:
        method, path = route
        concrete = re.sub(r"\{(\w+)\}",
                          lambda m: "x%2F..%2Fy" if junk_id else ids.get(m.group(1), "nope_0"),
                          path)  # a parameter with no id above: one that names nothing
        headers = token if path.startswith(("/v1/work", "/v1/review")) else key
        if isinstance(body, bytes):
            response = http.request(method, concrete, content=body, params=query,
                                    headers={**headers, "Content-Type": "application/json"})
        else:
            response = http.request(method, concrete, json=body, params=query, headers=headers)
        _check(response)

    probe()
    http.close()
