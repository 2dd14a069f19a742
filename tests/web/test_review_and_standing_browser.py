"""A reviewer works the review queue in real headless Chromium, and a paused worker reads
their standing and appeals from it; every decision is checked through the API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from assay.accounts import service as accounts
from assay.client import Forbidden, WorkerClient
from tests.support import Org, categorize_project
from tests.web.browser import open_signed_in
from tests.web.support import PASSWORD, Account, new_email, worker_account

Shot = Callable[[str], Path]


def _worker_with_token(org: Org) -> tuple[Account, WorkerClient]:
    email = new_email("worker")
    worker_id, token = org.db.write(
        lambda s: accounts.create_worker(s, email, org.org_id, PASSWORD))
    return Account(email, PASSWORD, worker_id), WorkerClient(org.url, token)


def _answer(worker: WorkerClient, project_id: str, label: str) -> None:
    offer = worker.next(project_id)
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": label})


def test_a_reviewer_rejects_fixes_and_accepts_from_the_keyboard(org: Org, page: Any,
                                                                screenshot: Shot) -> None:
    project = categorize_project(org, name="Moods", quality={"overlap": 2, "review_rate": 1.0},
                                 instructions="Pick the **mood**.")
    first = org.client.create_task(project["id"], {"text": "fine, I guess"})
    second = org.client.create_task(project["id"], {"text": "wonderful"})
    a, b = org.worker(), org.worker()
    for worker, label in ((a, "pos"), (b, "neg")):
        _answer(worker, project["id"], label)
    for worker in (a, b):
        _answer(worker, project["id"], "pos")
    reviewer = worker_account(org)
    org.client.add_reviewer(project["id"], reviewer.subject_id)

    open_signed_in(page, reviewer, "/work")
    page.click(f'a[href="/review/{project["id"]}"]')
    task = page.locator('#task[data-state="ready"]')
    expect(task).to_have_attribute("data-task", first["id"])
    expect(page.locator("#task .text")).to_have_text("fine, I guess")
    expect(page.locator("#answers li")).to_have_count(2)
    page.locator('#answers li:has-text("neg") input[type="checkbox"]').check()
    page.fill("#review-comment", "no sign of a negative mood")
    screenshot("review-task")
    page.locator("#task").click(position={"x": 5, "y": 5})  # back to the task's keys
    page.keyboard.press("3")  # the fix: "neu"
    expect(page.locator('#task[data-state="ready"]')).to_have_attribute("data-task", second["id"])
    page.keyboard.press("Control+Enter")  # accept
    expect(page.locator("#task")).to_have_attribute("data-state", "empty")
    expect(page.locator("#status")).to_have_text("Decided 2 in this session.")

    fixed = org.client.get_task(first["id"])
    assert fixed["review_status"] == "fixed"
    assert fixed["result"]["answer"] == {"label": "neu"} and fixed["result"]["method"] == "review"
    assert org.client.get_task(second["id"])["review_status"] == "accepted"
    [seen] = [f for f in b.feedback() if f["verdict"] == "rejected"]
    assert seen["comment"] == "no sign of a negative mood"
    assert all(f["verdict"] == "accepted" for f in a.feedback())


def test_a_paused_worker_sees_why_and_appeals(org: Org, page: Any, screenshot: Shot) -> None:
    # The five checks come first (gold_rate 1) and are disclosed, and judged, at the 5th.
    project = categorize_project(org, name="Checked", quality={
        "overlap": 1, "gold_rate": 1.0, "min_worker_accuracy": 0.7, "disclose_every": 5})
    golds = [org.client.add_gold(project["id"], {"text": f"clearly good {i}"},
                                 {"label": "pos"}) for i in range(5)]
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(2)])
    account, worker = _worker_with_token(org)
    try:
        for _ in range(6):
            _answer(worker, project["id"], "neg")
    except Forbidden:
        pass
    assert worker.me(project["id"])["status"] == "paused"
    org.client.retire_gold(project["id"], golds[0]["id"])

    open_signed_in(page, account, "/work")
    page.click(f'a[href="/work/{project["id"]}/standing"]')
    expect(page.locator("#paused")).to_contain_text("You are paused")
    expect(page.locator("#checks")).to_contain_text("0 of 5 hidden checks right")
    expect(page.locator("#gold-evidence tbody tr")).to_have_count(1)
    expect(page.locator("#gold-evidence")).to_contain_text("clearly good 0")
    expect(page.locator("#history")).to_contain_text("paused")
    screenshot("standing-paused")
    page.fill("#appeal-message", "I mixed up the keys for the first tasks")
    page.click("#appeal-form button[type=submit]")
    expect(page.locator("#appeal-sent")).to_be_visible()
    expect(page.locator("#appeal-status")).to_contain_text("pending")
    expect(page.locator("#appeal-form")).to_have_count(0)  # once per project
    expect(page.locator("#history")).to_contain_text("appealed")
    screenshot("standing-appealed")
    [appeal] = worker._call("GET", "/v1/work/appeals")["docs"]
    assert appeal["message"] == "I mixed up the keys for the first tasks"


def test_a_senior_reviewer_overturns_a_review_in_the_browser(org: Org, page: Any,
                                                             screenshot: Shot) -> None:
    project = categorize_project(org, name="Checked reviews", quality={
        "overlap": 1, "review_rate": 1.0, "second_review_rate": 1.0})
    task = org.client.create_task(project["id"], {"text": "so-so"})
    _answer(org.worker(), project["id"], "pos")
    first = org.worker()
    org.client.add_reviewer(project["id"], first.me()["worker_id"])
    item = first.next_review(project["id"])
    assert item is not None
    first.review(item["task_id"], "accept", comment="positive enough")
    senior = worker_account(org)
    org.client.add_reviewer(project["id"], senior.subject_id, 2)

    open_signed_in(page, senior, "/work")
    page.click(f'a[href="/review/{project["id"]}?level=2"]')
    expect(page.locator('#task[data-state="ready"]')).to_have_attribute("data-task", task["id"])
    expect(page.locator("#first-review")).to_contain_text("positive enough")
    expect(page.locator("#answers li")).to_contain_text("accepted")
    screenshot("review-level-2")
    page.fill("#review-comment", "this reads neutral")
    page.locator("#task").click(position={"x": 5, "y": 5})
    page.keyboard.press("3")
    expect(page.locator("#task")).to_have_attribute("data-state", "empty")
    after = org.client.get_task(task["id"])
    assert after["result"]["answer"] == {"label": "neu"} and after["review_status"] == "fixed"
    [outcome] = [f for f in first.feedback() if f["type"] == "review"]
    assert outcome["verdict"] == "overturned" and outcome["comment"] == "this reads neutral"


def test_ctrl_enter_accepts_a_spans_review_with_the_focus_in_the_task(org: Org,
                                                                     page: Any) -> None:
    project = org.client.create_project(name="Names", kind="spans",
                                        params={"labels": ["ORG", "PER"]},
                                        quality={"overlap": 1, "review_rate": 1.0})
    task = org.client.create_task(project["id"], {"text": "Ada works at Acme."})
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"spans": [{"start": 0, "end": 3, "label": "PER"}]})
    reviewer = worker_account(org)
    org.client.add_reviewer(project["id"], reviewer.subject_id)
    open_signed_in(page, reviewer, f"/review/{project['id']}")
    expect(page.locator('#task[data-state="ready"]')).to_have_attribute("data-task", task["id"])
    expect(page.locator("#answers > li")).to_contain_text("PER")
    page.locator("#task button").first.focus()  # the widget's own submit button
    page.keyboard.press("Control+Enter")
    expect(page.locator("#task")).to_have_attribute("data-state", "empty")
    assert org.client.get_task(task["id"])["review_status"] == "accepted"
