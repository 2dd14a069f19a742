"""The labeling page's undo in real headless Chromium (docs/worker-page.md): an answer is
held in the page for the project's undo window while the next task shows at once; z or
Ctrl+Z brings the task back as it was answered and nothing reaches the server; without an
undo the answer arrives when the window ends, or at once when the tab is hidden; a reload
during the window still delivers it; a held answer is sent once. Every answer is checked
through the API (one module: one server per database)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.support import Org, categorize_project
from tests.web.browser import (
    ALL_SENT,
    HIDE,
    next_task_ready,
    nothing_left,
    open_signed_in,
    task_ready,
)
from tests.web.support import worker_account

UNDO_S = 3  # the projects' undo window; the waits below are a little longer


def _answers(org: Org, task_id: str) -> list[Any]:
    return [r["answer"] for r in org.client.get_task(task_id, include_responses=True)["responses"]]


def _submits(page: Any) -> list[str]:
    """The assignment ids of every submit the page sends, in order."""
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url.split("/")[-2])
            if r.method == "POST" and r.url.endswith("/submit") else None)
    return sent


def test_undo_brings_the_typed_answer_back_and_sends_nothing(org: Org, page: Any) -> None:
    project = org.client.create_project(name="Captions", kind="text",
                                        limits={"undo_seconds": UNDO_S})
    first = org.client.create_task(project["id"], {"text": "Describe the first picture."})
    second = org.client.create_task(project["id"], {"text": "Describe the second picture."})
    sent = _submits(page)
    open_signed_in(page, worker_account(org), f"/work/{project['id']}")
    a = task_ready(page)
    page.keyboard.type("a dog")
    page.keyboard.press("Control+Enter")
    b = next_task_ready(page, a)  # at once, the answer held in the page
    expect(page.locator("#undo")).to_be_visible()
    expect(page.locator("#answer-text")).to_be_focused()
    # Ctrl+Z in the new task's empty box is the page's undo: the first task is back as it
    # was answered, and the server never heard of that answer.
    page.keyboard.press("Control+z")
    expect(page.locator("#task")).to_have_attribute("data-assignment", a)
    expect(page.locator("#answer-text")).to_have_value("a dog")
    expect(page.locator("#undo")).to_be_hidden()
    page.wait_for_timeout(UNDO_S * 1000 + 1500)  # past the window the undo cancelled
    assert sent == [] and _answers(org, first["id"]) == []

    page.locator("#answer-text").press("End")
    page.keyboard.type(" on a beach")
    page.keyboard.press("Control+Enter")
    # The second task, still leased beside the first, comes back (not a third one).
    expect(page.locator("#task")).to_have_attribute("data-assignment", b)
    page.evaluate(HIDE)  # the worker leaves the tab: the held answer goes now ...
    page.wait_for_function(ALL_SENT)
    page.wait_for_timeout(UNDO_S * 1000 + 1500)  # ... and not again when the window ends
    assert sent == [a]
    assert _answers(org, first["id"]) == [{"text": "a dog on a beach"}]
    page.keyboard.type("a cat")
    page.keyboard.press("Control+Enter")
    nothing_left(page)
    assert sent == [a, b] and _answers(org, second["id"]) == [{"text": "a cat"}]


def test_a_held_answer_arrives_after_the_window_and_survives_a_reload(org: Org,
                                                                      page: Any) -> None:
    project = categorize_project(org, name="Held", limits={"undo_seconds": UNDO_S})
    tasks = [org.client.create_task(project["id"], {"text": f"held {i}"}) for i in range(3)]
    sent = _submits(page)
    open_signed_in(page, worker_account(org), f"/work/{project['id']}")
    a = task_ready(page)
    page.keyboard.press("1")
    b = next_task_ready(page, a)
    page.keyboard.press("z")  # z takes it back too
    expect(page.locator("#task")).to_have_attribute("data-assignment", a)
    page.click('.choice[data-label="neu"]')  # answered again, by pointer this time
    expect(page.locator("#task")).to_have_attribute("data-assignment", b)
    expect(page.locator("#undo")).to_be_visible()
    assert sent == []
    # Nothing more is pressed: the answer is sent when the window ends.
    expect(page.locator("#undo")).to_be_hidden(timeout=UNDO_S * 1000 + 5000)
    page.wait_for_function(ALL_SENT)
    assert sent == [a] and _answers(org, tasks[0]["id"]) == [{"label": "neu"}]

    page.keyboard.press("2")
    c = next_task_ready(page, b)
    page.reload()  # during the window: the held answer is delivered, not lost
    assert task_ready(page) == c
    page.wait_for_function(ALL_SENT)
    assert _answers(org, tasks[1]["id"]) == [{"label": "neg"}]
    page.keyboard.press("3")
    nothing_left(page)
    assert _answers(org, tasks[2]["id"]) == [{"label": "neu"}]
    # Each sent once; the one held across the reload is sent again by the new page only if
    # the closing page never heard the reply, and the server refuses that copy (it keeps
    # one answer, as checked above).
    assert sent.count(a) == 1 and sent.count(c) == 1 and sent.count(b) in (1, 2), sent
