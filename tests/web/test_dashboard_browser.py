"""A requester, in real headless Chromium, creates a project through the form and watches
its progress move as tasks arrive (API) and workers answer them (API)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support import Org
from tests.web.browser import open_signed_in
from tests.web.support import user_account

Shot = Callable[[str], Path]


def _count(page: Any, status: str) -> Any:
    return page.locator(f'#counts li[data-status="{status}"] strong')


def test_a_requester_creates_a_project_and_sees_its_progress_move(org: Org, page: Any,
                                                                  screenshot: Shot) -> None:
    open_signed_in(page, user_account(org), "/")
    page.click("#new-project-link")
    page.wait_for_url("**/projects/new")
    page.fill("#f-labels", "positive\nnegative\nneutral")
    page.fill("#f-instructions", "Read the review; pick its **mood**.")
    page.fill("#f-overlap", "0")
    page.click('#new-project button[type="submit"]')
    expect(page.locator("#name-errors")).to_be_visible()
    expect(page.locator("#overlap-errors")).to_contain_text("greater than or equal to 1")
    expect(page.locator("#f-labels")).to_have_value("positive\nnegative\nneutral")
    screenshot("project-new-errors")
    page.fill("#f-name", "Review moods")
    page.fill("#f-overlap", "1")
    page.fill("#f-per_task", "0.02")
    screenshot("project-new")
    page.click('#new-project button[type="submit"]')
    page.wait_for_url(re.compile(r".*/projects/prj_[0-9a-f]+$"))
    project_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("h1")).to_contain_text("Review moods")
    expect(page.locator("#no-workers")).to_be_visible()
    assert org.client.get_project(project_id)["params"]["labels"] == [
        "positive", "negative", "neutral"]

    org.client.create_tasks(project_id, [{"data": {"text": f"review {i}"}} for i in range(6)])
    page.reload()
    expect(_count(page, "pending")).to_have_text("6")
    expect(_count(page, "completed")).to_have_text("0")
    expect(page.locator("#eta")).to_have_text("no recent answers")
    expect(page.locator("#tasks tbody tr")).to_have_count(6)

    labels = ["positive", "positive", "negative", "neutral"]
    for label in labels:
        worker = org.worker()
        offer = worker.next(project_id)
        assert offer is not None
        worker.submit(offer["assignment_id"], {"label": label})
    # No reload: the page reads its figures again on its own while tasks are pending.
    expect(_count(page, "pending")).to_have_text("2", timeout=15_000)  # it refreshes every 5 s
    expect(_count(page, "completed")).to_have_text("4")
    expect(page.locator("#percent")).to_have_text("67%")
    expect(page.locator("#answers-24h")).to_have_text("4")
    # Four answers seconds apart, two left: minutes at most, not the "30 min" that
    # counting the elapsed seconds as an hour used to give.
    expect(page.locator("#eta")).to_have_text(re.compile(r"^(under a minute|1 min)$"))
    page.reload()
    expect(page.locator("#workers tbody tr")).to_have_count(4)
    bars = page.locator("#chart-completions rect.bar")
    expect(bars).to_have_count(24)
    assert sum(int(bars.nth(i).get_attribute("data-count")) for i in range(24)) == 4
    expect(page.locator('#chart-distribution g[data-label="positive"]')).to_have_attribute(
        "data-count", "2")
    screenshot("project-progress")

    page.click('#tasks a[href*="/tasks/"] >> nth=0')
    page.wait_for_url("**/tasks/*")
    expect(page.locator("#task-data")).to_contain_text('"text": "review 0"')
    expect(page.locator("#answers tbody tr")).to_have_count(1)
    expect(page.locator("#answers")).to_contain_text('"label": "positive"')
    expect(page.locator("#result-confidence")).to_be_visible()
    screenshot("task-page")

    page.goto("/")
    row = page.locator(f'tr[data-project="{project_id}"]')
    expect(row.locator('td[data-status="completed"]')).to_have_text("4")
    expect(row.locator('td[data-field="answers-per-hour"]')).to_have_text(re.compile(r"^\d+\.\d$"))
    screenshot("dashboard-progress")
