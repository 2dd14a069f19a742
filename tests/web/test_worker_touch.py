"""The labeling page by touch alone, in real headless Chromium as a 390 px phone with a
touch screen: boxes drawn, moved and resized with a finger (touch events sent through the
browser's input pipeline, so the page sees what a phone sends), spans marked by tapping
words, labels and choices tapped, answers sent with a tap. Every answer is checked through
the API (one module: one server per database)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import Org, ServerProcess, categorize_project
from tests.web.browser import nothing_left, sign_in, task_ready
from tests.web.support import worker_account
from tests.web.test_browser_spans_boxes import _png

IMAGE = "data:image/png;base64," + base64.b64encode(_png(400, 300)).decode()

CHAR_AT = """(i) => {
  const runs = [...document.querySelectorAll('#spans-text > [data-start]')];
  const run = runs.filter((e) => Number(e.dataset.start) <= i).pop();
  const r = document.createRange();
  const k = i - Number(run.dataset.start);
  r.setStart(run.firstChild, k); r.setEnd(run.firstChild, k + 1);
  const b = r.getBoundingClientRect();
  return [b.left + b.width / 2, b.top + b.height / 2];
}"""


@pytest.fixture
def phone(browser: Any, server: ServerProcess) -> Iterator[Any]:
    """A page in a phone-sized context with a touch screen; script errors fail the test."""
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844},
                                  has_touch=True, is_mobile=True, device_scale_factor=2)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    yield tab
    context.close()
    assert problems == []


def _answers(org: Org, task_id: str) -> list[Any]:
    return [r["answer"] for r in org.client.get_task(task_id, include_responses=True)["responses"]]


def _tap(page: Any, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_boxes_spans_and_choices_by_touch(org: Org, phone: Any) -> None:
    page = phone
    boxes = org.client.create_project(name="Cars", kind="boxes",
                                      params={"labels": ["car", "person"]})
    box_task = org.client.create_task(boxes["id"], {"image_url": IMAGE})
    spans = org.client.create_project(name="NER", kind="spans",
                                      params={"labels": ["ORG", "PER"]})
    text = "Ada Lovelace met Babbage at Acme Labs."
    span_task = org.client.create_task(spans["id"], {"text": text})
    moods = categorize_project(org, name="Moods")
    mood_task = org.client.create_task(moods["id"], {"text": "lovely"})
    page.goto(f"/login?next=/work/{boxes['id']}")
    sign_in(page, worker_account(org))
    page.wait_for_url(f"**/work/{boxes['id']}")

    # Boxes: a finger draws, moves and resizes; labels and Remove are tapped.
    task_ready(page)
    page.wait_for_function("() => document.querySelector('#box-stage img').naturalWidth > 0")
    image = page.locator("#box-stage img").bounding_box()
    scale = 400 / image["width"]  # image pixels per screen pixel
    cdp = page.context.new_cdp_session(page)

    def drag(x0: float, y0: float, x1: float, y1: float) -> None:
        """A finger from one screen point to another, through the browser's touch input."""
        def touch(kind: str, x: float, y: float) -> None:
            points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
        touch("touchStart", x0, y0)
        for step in range(1, 7):
            touch("touchMove", x0 + (x1 - x0) * step / 6, y0 + (y1 - y0) * step / 6)
        # The finger rests before it lifts: lifted while moving, the browser would fling,
        # and a fling swallows the next tap (it only stops the fling).
        page.wait_for_timeout(150)
        touch("touchMove", x1, y1)
        touch("touchEnd", x1, y1)

    def on_image(x: float, y: float) -> tuple[float, float]:
        # Read each time: the status line above may wrap, and move the image.
        now = page.locator("#box-stage img").bounding_box()
        return now["x"] + x / scale, now["y"] + y / scale

    drag(*on_image(40, 30), *on_image(200, 150))
    _tap(page, '.legend-item[data-label="car"]')
    expect(page.locator(".box")).to_have_count(1)
    expect(page.locator(".box").first).to_have_attribute("data-label", "car")
    drag(*on_image(120, 90), *on_image(160, 110))  # the box moves by (40, 20)
    handle = page.locator(".box .box-handle").bounding_box()
    hx, hy = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    drag(hx, hy, hx + 20 / scale, hy + 30 / scale)  # and grows by (20, 30)
    drag(*on_image(280, 100), *on_image(380, 280))  # beside the first box
    _tap(page, '.legend-item[data-label="person"]')
    drag(*on_image(10, 220), *on_image(60, 280))
    _tap(page, "#remove-box")  # the last box, still selected, goes
    expect(page.locator(".box")).to_have_count(2)
    _tap(page, "#submit")
    nothing_left(page)
    [answer] = _answers(org, box_task["id"])
    got = sorted(answer["boxes"], key=lambda b: b["x"])
    assert [b["label"] for b in got] == ["car", "person"]
    for b, (x, y, w, h) in zip(got, [(80, 50, 180, 150), (280, 100, 100, 180)], strict=True):
        assert abs(b["x"] - x) <= 4 and abs(b["y"] - y) <= 4, got
        assert abs(b["w"] - w) <= 5 and abs(b["h"] - h) <= 5, got

    # Spans: a tap selects a word, a second tap stretches the selection; a label is tapped.
    page.goto(f"/work/{spans['id']}")
    task_ready(page)
    for first, last, label in ((0, 4, "PER"), (28, 33, "ORG")):  # Ada Lovelace, Acme Labs
        for at in (first, last):
            page.touchscreen.tap(*page.evaluate(CHAR_AT, at))
        _tap(page, f'.legend-item[data-label="{label}"]')
    _tap(page, "#submit")
    nothing_left(page)
    assert _answers(org, span_task["id"]) == [{"spans": [
        {"start": 0, "end": 12, "label": "PER"}, {"start": 28, "end": 37, "label": "ORG"}]}]

    # A choice is one tap.
    page.goto(f"/work/{moods['id']}")
    task_ready(page)
    _tap(page, '.choice[data-label="neg"]')
    nothing_left(page)
    assert _answers(org, mood_task["id"]) == [{"label": "neg"}]
