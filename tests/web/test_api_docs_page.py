"""``/docs`` is the server's own API reference: every route of the OpenAPI document, and
nothing loaded from another origin (it works on an air-gapped server)."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.support import Org


def test_the_api_reference_loads_nothing_from_elsewhere(org: Org, page: Any) -> None:
    document = httpx.get(f"{org.url}/openapi.json").json()
    assert "API.md" not in document["info"]["description"]
    assert "/docs" in document["info"]["description"]
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto("/docs")
    expect(page.locator("h1")).to_contain_text("Assay API")
    paths = {path for path, item in document["paths"].items()}
    shown = set(page.eval_on_selector_all(".api-op h3 code", "ns => ns.map((n) => n.textContent)"))
    assert shown == paths
    expect(page.locator("#op-next_task_v1_work_next_post")).to_contain_text("Offer")
    expect(page.locator("#schema-Offer")).to_contain_text("assignment_id")
    assert asked and all(url.startswith(org.url + "/") for url in asked), asked
    assert httpx.get(f"{org.url}/redoc").status_code == 404
