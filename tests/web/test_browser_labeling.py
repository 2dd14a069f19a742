"""A worker labels in real headless Chromium, with the keyboard; every answer is checked
through the API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support import Org, categorize_project
from tests.web.browser import next_task_ready, nothing_left, open_signed_in, sign_in, task_ready
from tests.web.support import worker_account

Shot = Callable[[str], Path]


def _answers(org: Org, task_id: str) -> list[Any]:
    return [r["answer"] for r in org.client.get_task(task_id, include_responses=True)["responses"]]


def test_a_worker_signs_in_and_picks_a_label_with_one_key(org: Org, page: Any,
                                                          screenshot: Shot) -> None:
    project = categorize_project(org, name="Sentiment", instructions="Pick the **mood**.")
    first = org.client.create_task(project["id"], {"text": "I loved it"})
    second = org.client.create_task(project["id"], {"text": "Meh.", "source": "crawl"})
    worker = worker_account(org)
    page.goto("/login")
    screenshot("login")
    sign_in(page, worker)
    page.wait_for_url("**/work")
    expect(page.locator("#projects")).to_contain_text("Sentiment")
    screenshot("work-list")
    page.click(f'a[href="/work/{project["id"]}"]')
    assignment = task_ready(page)
    expect(page.locator("#task .text")).to_have_text("I loved it")
    screenshot("label-categorize")
    page.keyboard.press("2")
    next_task_ready(page, assignment)
    expect(page.locator("#task .text")).to_have_text("Meh.")
    expect(page.locator('#task table.fields tr[data-field="source"]')).to_contain_text("crawl")
    page.keyboard.press("3")
    nothing_left(page)
    screenshot("label-empty")
    assert _answers(org, first["id"]) == [{"label": "neg"}]
    assert _answers(org, second["id"]) == [{"label": "neu"}]


def test_multiple_labels_toggle_with_keys_and_submit_with_enter(org: Org, page: Any) -> None:
    project = categorize_project(org, params={"labels": ["cat", "dog", "bird"], "multiple": True})
    task = org.client.create_task(project["id"], {"text": "a cat and a bird"})
    open_signed_in(page, worker_account(org), f"/work/{project['id']}")
    task_ready(page)
    for key in ("1", "2", "3", "2"):
        page.keyboard.press(key)
    expect(page.locator('.choice[aria-pressed="true"]')).to_have_count(2)
    page.keyboard.press("Enter")
    nothing_left(page)
    assert _answers(org, task["id"]) == [{"labels": ["cat", "bird"]}]


def test_compare_with_a_b_t_and_x(org: Org, page: Any, screenshot: Shot) -> None:
    project = org.client.create_project(name="Which is better", kind="compare",
                                        params={"allow_tie": True, "allow_both_bad": True})
    tasks = [org.client.create_task(project["id"], {"prompt": f"Say hi {i}",
                                                    "a": f"Hello {i}", "b": {"text": f"Hi {i}"}})
             for i in range(4)]
    open_signed_in(page, worker_account(org), f"/work/{project['id']}")
    assignment = task_ready(page)
    expect(page.locator('.side[data-side="a"]')).to_contain_text("Hello 0")
    expect(page.locator('.side[data-side="b"]')).to_contain_text("Hi 0")
    screenshot("label-compare")
    expect(page.locator('.choice[data-choice="x"]')).to_contain_text("Both are bad")
    for key in ("b", "t", "x"):
        page.keyboard.press(key)
        assignment = next_task_ready(page, assignment)
    page.keyboard.press("a")
    nothing_left(page)
    assert [_answers(org, t["id"]) for t in tasks] == [
        [{"choice": "b"}], [{"choice": "tie"}], [{"choice": "both_bad"}], [{"choice": "a"}]]


def test_text_is_typed_and_sent_with_ctrl_enter(org: Org, page: Any, screenshot: Shot) -> None:
    project = org.client.create_project(name="Captions", kind="text")
    task = org.client.create_task(project["id"], {"text": "Describe the picture."})
    open_signed_in(page, worker_account(org), f"/work/{project['id']}")
    task_ready(page)
    expect(page.locator("#answer-text")).to_be_focused()
    # Keys that are shortcuts elsewhere ("s", "?", "1") are text here.
    page.keyboard.type("sunny day? 1 dog")
    screenshot("label-text")
    page.keyboard.press("Control+Enter")
    nothing_left(page)
    assert _answers(org, task["id"]) == [{"text": "sunny day? 1 dog"}]


def test_help_instructions_and_skip_from_the_keyboard(org: Org, page: Any,
                                                      screenshot: Shot) -> None:
    project = categorize_project(org, instructions="# Rules\n\nBe **kind**.")
    skipped = org.client.create_task(project["id"], {"text": "unclear"})
    other = org.client.create_task(project["id"], {"text": "clear"})
    open_signed_in(page, worker_account(org), f"/work/{project['id']}")
    assignment = task_ready(page)
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    expect(page.locator("#shortcut-list")).to_contain_text("pick a label and submit")
    screenshot("label-shortcuts")
    page.keyboard.press("Escape")  # closes the dialog; does not skip
    expect(page.locator("#shortcuts")).to_be_hidden()
    page.keyboard.press("i")
    expect(page.locator("#instructions strong")).to_have_text("kind")
    screenshot("label-instructions")
    page.keyboard.press("Escape")
    expect(page.locator("#instructions")).to_be_hidden()
    expect(page.locator("#task")).to_have_attribute("data-assignment", assignment)
    page.keyboard.press("s")
    assignment = next_task_ready(page, assignment)
    expect(page.locator("#task .text")).to_have_text("clear")
    page.keyboard.press("Escape")
    nothing_left(page)
    assert _answers(org, skipped["id"]) == [] and _answers(org, other["id"]) == []
    assert org.client.get_task(skipped["id"])["status"] == "pending"


def test_rate_with_number_keys_per_criterion(org: Org, page: Any, screenshot: Shot) -> None:
    plain = org.client.create_project(name="Stars", kind="rate", params={"min": 1, "max": 5})
    scored = org.client.create_project(
        name="Criteria", kind="rate",
        params={"min": 1, "max": 5, "criteria": [{"id": "fluency"}, {"id": "accuracy"}]})
    one = org.client.create_task(plain["id"], {"text": "rate me"})
    two = org.client.create_task(scored["id"], {"text": "score me"})
    worker = worker_account(org)
    open_signed_in(page, worker, f"/work/{plain['id']}")
    task_ready(page)
    page.keyboard.press("4")
    page.keyboard.press("Enter")
    nothing_left(page)
    page.goto(f"/work/{scored['id']}")
    task_ready(page)
    page.keyboard.press("Enter")  # nothing scored yet: refused in the page
    expect(page.locator("#status")).to_contain_text("fluency")
    page.keyboard.press("3")
    expect(page.locator('.scale.active[data-criterion="accuracy"]')).to_be_visible()
    page.keyboard.press("5")
    screenshot("label-rate")
    page.keyboard.press("Enter")
    nothing_left(page)
    assert _answers(org, one["id"]) == [{"rating": 4}]
    assert _answers(org, two["id"]) == [{"scores": {"fluency": 3, "accuracy": 5}}]
