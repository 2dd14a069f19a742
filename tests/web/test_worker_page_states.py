"""The worker's states in real headless Chromium: a paused worker sees why and where to
appeal; an empty queue checks again on its own and points to other projects; the review
page has help, skips a task, and fits a 390 px wide phone. And ``/docs``, the server's own
API reference: every route of the OpenAPI document, nothing loaded from another origin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
from playwright.sync_api import expect

from assay.clock import utcnow
from assay.quality import service as quality
from tests.support import Org, categorize_project
from tests.web.browser import nothing_left, open_signed_in
from tests.web.support import worker_account

Shot = Callable[[str], Path]


def test_paused_and_empty_states(org: Org, page: Any, screenshot: Shot) -> None:
    paused = categorize_project(org, name="Paused here")
    org.client.create_task(paused["id"], {"text": "x"})
    empty = categorize_project(org, name="Empty for now")
    worker = worker_account(org)
    project = SimpleNamespace(id=paused["id"], org_id=org.org_id)
    org.db.write(lambda s: quality.pause_worker(s, project, worker.subject_id, "operator",
                                                utcnow(), note="checking"))
    open_signed_in(page, worker, f"/work/{paused['id']}")
    expect(page.locator("#task")).to_have_attribute("data-state", "paused")
    expect(page.locator("#pause-reason")).to_contain_text("operator")
    screenshot("label-paused")
    expect(page.locator("#standing-link")).to_have_attribute(
        "href", f"/work/{paused['id']}/standing")
    page.click("#appeal-link")
    expect(page.locator("#appeal-form")).to_be_visible()

    page.goto(f"/work/{empty['id']}")
    expect(page.locator("#task")).to_have_attribute("data-state", "empty")
    expect(page.locator(f'#task a[href="/work/{paused["id"]}"]')).to_have_text("Paused here")
    task = org.client.create_task(empty["id"], {"text": "new work"})
    # No reload: the page asks again on its own (first after 3 s).
    expect(page.locator('#task[data-state="ready"] .text')).to_have_text("new work",
                                                                         timeout=15_000)
    page.keyboard.press("1")
    nothing_left(page)
    responses = org.client.get_task(task["id"], include_responses=True)["responses"]
    assert [r["answer"] for r in responses] == [{"label": "pos"}]


def _answer(org: Org, project_id: str) -> None:
    worker = org.worker()
    offer = worker.next(project_id)
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})


def test_review_help_skip_and_a_phone_screen(org: Org, page: Any, screenshot: Shot) -> None:
    project = categorize_project(org, name="Phone review",
                                 quality={"overlap": 1, "review_rate": 1.0})
    first = org.client.create_task(project["id"], {"text": "first " * 40})
    second = org.client.create_task(project["id"], {"text": "second"})
    _answer(org, project["id"])
    _answer(org, project["id"])
    reviewer = worker_account(org)
    org.client.add_reviewer(project["id"], reviewer.subject_id)
    page.set_viewport_size({"width": 390, "height": 844})
    open_signed_in(page, reviewer, f"/review/{project['id']}")
    ready = page.locator('#task[data-state="ready"]')
    expect(ready).to_have_attribute("data-task", first["id"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("review-390px")
    page.keyboard.press("?")
    expect(page.locator("#shortcut-list")).to_contain_text("skip this task")
    expect(page.locator("#shortcut-list")).to_contain_text("pick a label")
    page.keyboard.press("Escape")
    page.keyboard.press("s")
    expect(ready).to_have_attribute("data-task", second["id"])
    page.reload()  # the skipped task stays skipped in this tab
    expect(ready).to_have_attribute("data-task", second["id"])
    page.locator("#accept").click()
    expect(page.locator("#task")).to_have_attribute("data-state", "empty")
    assert org.client.get_task(second["id"])["review_status"] == "accepted"
    assert org.client.get_task(first["id"])["review_status"] == "pending"
    # Released: another reviewer gets the skipped task at once.
    other = worker_account(org)
    org.client.add_reviewer(project["id"], other.subject_id)
    page.context.clear_cookies()
    open_signed_in(page, other, f"/review/{project['id']}")
    expect(ready).to_have_attribute("data-task", first["id"])


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
