"""A two-turn conversation in real headless Chromium against the model stand-in, with the
keyboard only: the worker writes the first message, the replies stream in (server-sent
events), number keys rank them, the conversation continues from the chosen reply, a tie
and an edited ideal reply finish the second turn, Ctrl+Enter submits. No model name is on
the page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from assay.models.standin import StandIn, reply_for
from tests.support import Org
from tests.web.browser import nothing_left, open_signed_in, task_ready
from tests.web.support import worker_account

SYSTEM = {"role": "system", "content": "Answer in one line."}


@pytest.fixture(scope="module")
def backend() -> str:
    """SQLite only: the browser adds nothing storage-specific, and tests/test_chat.py runs
    the same flow on both databases."""
    return "sqlite"


def _model(org: Org, standin: StandIn, name: str, seed: int) -> str:
    with org.http() as http:
        made = http.post("/v1/models", json={"name": name, "base_url": standin.base_url,
                                             "model": "drip-0.02", "params": {"seed": seed}})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_a_worker_talks_ranks_continues_edits_and_submits_by_keyboard(
        org: Org, page: Any, model_standin: StandIn) -> None:
    names = ["alpha-hidden-model-5e1", "beta-hidden-model-0c9"]
    models = [_model(org, model_standin, name, seed) for seed, name in enumerate(names, 1)]
    project = org.client.create_project(name="Chat", kind="chat", params={
        "models": models, "max_turns": 2}, quality={"overlap": 1})
    task = org.client.create_task(project["id"], {"messages": [SYSTEM]})
    streamed: list[str] = []
    page.on("request", lambda r: streamed.append(r.headers.get("accept", ""))
            if r.url.endswith("/generate") else None)
    open_signed_in(page, worker_account(org), f"/work/{project['id']}")
    task_ready(page)
    expect(page.locator("#chat-next")).to_be_focused()
    page.keyboard.type("Say hello in **bold**")
    page.keyboard.press("Control+Enter")
    cards = page.locator(".chat-candidate")
    expect(cards).to_have_count(2)
    first = [SYSTEM, {"role": "user", "content": "Say hello in **bold**"}]
    texts = [cards.nth(i).locator(".chat-reply").inner_text() for i in range(2)]
    assert sorted(texts) == sorted(reply_for(first, s).replace("**", "") for s in (1, 2))
    # The user's Markdown is rendered as elements, not as markup.
    expect(page.locator(".chat-user strong")).to_have_text("bold")
    page.keyboard.press("2")
    page.keyboard.press("1")
    expect(cards.nth(1)).to_have_attribute("data-rank", "1")
    seed_of = {reply_for(first, s).replace("**", ""): s for s in (1, 2)}
    chosen = reply_for(first, seed_of[texts[1]])  # as the model wrote it, Markdown and all
    page.keyboard.press("c")
    page.keyboard.type("And now goodbye")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".chat-assistant")).to_have_count(1)
    expect(page.locator(".chat-log")).to_contain_text("And now goodbye")
    expect(cards.first).to_contain_text("And now goodbye")
    # The second turn continued from the reply ranked first.
    continued = [*first, {"role": "assistant", "content": chosen},
                 {"role": "user", "content": "And now goodbye"}]
    assert sorted(cards.nth(i).locator(".chat-reply").inner_text() for i in range(2)) == \
        sorted(reply_for(continued, s) for s in (1, 2))
    page.keyboard.press("1")
    page.keyboard.press("Shift+Digit2")  # a tie with the first
    expect(page.locator('.chat-candidate[data-rank="1"]')).to_have_count(2)
    page.keyboard.press("e")
    page.keyboard.press("Control+a")
    page.keyboard.type("Goodbye!")
    page.keyboard.press("Escape")  # leaves the box; the text stays
    page.keyboard.press("Control+Enter")
    nothing_left(page)
    assert all("text/event-stream" in accept for accept in streamed) and len(streamed) == 2
    html = page.content()
    assert not any(name in html for name in names)
    [response] = org.client.get_task(task["id"], include_responses=True)["responses"]
    one, two = response["answer"]["turns"]
    assert one["prompt"] == "Say hello in **bold**" and len(one["ranking"]) == 2
    assert two["prompt"] == "And now goodbye" and len(two["ranking"]) == 1
    assert two["ideal"] == "Goodbye!" and "ideal" not in one
    assert org.client.get_task(task["id"])["status"] == "completed"
