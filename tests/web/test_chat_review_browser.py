"""A reviewer fixes a chat task in real headless Chromium with the keyboard only: the
review page shows the conversation, both candidates' texts and how each worker ranked them;
number keys re-rank the replies, e edits the ideal reply, Ctrl+Enter accepts the corrected
answer, which becomes the task's result and the post-training rows. No model name is on
the page."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import expect

from assay.models.standin import StandIn, reply_for
from tests.support import Org
from tests.test_chat_review import ASKED, NAMES, chat_project_in_review
from tests.web.browser import open_signed_in
from tests.web.support import worker_account


def test_a_reviewer_reranks_rewrites_and_accepts_by_keyboard(
        org: Org, page: Any, model_standin: StandIn) -> None:
    project, task = chat_project_in_review(org, model_standin, "browser")
    reviewer = worker_account(org)
    org.client.add_reviewer(project, reviewer.subject_id)

    open_signed_in(page, reviewer, f"/review/{project}")
    expect(page.locator('#task[data-state="ready"]')).to_have_attribute("data-task", task)
    expect(page.locator('#task[data-candidates="loaded"]')).to_be_visible()
    expect(page.locator(".chat-log .chat-user")).to_contain_text("name a fruit")
    cards = page.locator(".chat-candidate")
    expect(cards).to_have_count(2)
    texts = [cards.nth(i).locator(".chat-reply").inner_text() for i in range(2)]
    assert sorted(texts) == sorted(reply_for(ASKED, s) for s in (1, 2))
    # Each worker's rank of each reply is shown: the two ranked them in opposite orders.
    for i in range(2):
        expect(cards.nth(i).locator(".chat-seen li")).to_have_count(2)
    seen = cards.nth(0).locator(".chat-seen").inner_text()
    assert "rank 1" in seen and "rank 2" in seen
    content = page.content()
    for name in NAMES:
        assert name not in content

    # The reviewer puts the second card first, writes the ideal reply, and accepts.
    page.keyboard.press("Backspace")
    page.keyboard.press("2")
    page.keyboard.press("1")
    expect(cards.nth(1)).to_have_attribute("data-rank", "1")
    expect(cards.nth(0)).to_have_attribute("data-rank", "2")
    page.keyboard.press("e")
    expect(page.locator(".chat-review-ideal")).to_be_focused()
    page.keyboard.type("A ripe **mango**.")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#task")).to_have_attribute("data-state", "empty")
    expect(page.locator("#status")).to_have_text("Decided 1 in this session.")

    done = org.client.get_task(task)
    assert done["review_status"] == "fixed" and done["result"]["method"] == "review"
    [turn] = done["result"]["answer"]["turns"]
    assert turn["ideal"] == "A ripe **mango**." and len(turn["ranking"]) == 2
    with org.http() as http:
        rows = [json.loads(line) for line in http.get(
            f"/v1/projects/{project}/export", params={"format": "sft"}).text.splitlines()]
        dpo = [json.loads(line) for line in http.get(
            f"/v1/projects/{project}/export", params={"format": "dpo"}).text.splitlines()]
    assert rows == [{"messages": [*ASKED, {"role": "assistant",
                                           "content": "A ripe **mango**."}]}]
    # The candidates' own pair follows the reviewer's order: the second card over the first.
    assert (dpo[-1]["chosen"][0]["content"], dpo[-1]["rejected"][0]["content"]) == (
        texts[1], texts[0])
