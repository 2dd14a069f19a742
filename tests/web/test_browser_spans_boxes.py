"""Spans and boxes with the mouse (and number keys), in real headless Chromium; each answer
is checked through the API."""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support import Org
from tests.web.browser import nothing_left, open_signed_in, task_ready
from tests.web.support import worker_account

Shot = Callable[[str], Path]


def _png(width: int, height: int) -> bytes:
    """A plain grey PNG, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\x90" * (width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture()
def image_url() -> Iterator[str]:
    """A 400x300 image served from another loopback port, as a task's image would be."""
    body = _png(400, 300)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/photo.png"
    httpd.shutdown()
    httpd.server_close()


def _answers(org: Org, task_id: str) -> list[Any]:
    return [r["answer"] for r in org.client.get_task(task_id, include_responses=True)["responses"]]


def _drag_select(page: Any, start: int, end: int) -> None:
    """Select characters [start, end) of the task text by dragging the mouse over them."""
    rects = page.evaluate("""([start, end]) => {
        const runs = [...document.querySelectorAll('#spans-text > [data-start]')];
        const at = (i) => {
            const run = runs.filter((e) => Number(e.dataset.start) <= i).pop();
            const node = run.firstChild, k = i - Number(run.dataset.start);
            const r = document.createRange(); r.setStart(node, k); r.setEnd(node, k + 1);
            return r.getBoundingClientRect(); };
        const a = at(start), b = at(end - 1);
        return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
    }""", [start, end])
    page.mouse.move(rects[0], rects[1])
    page.mouse.down()
    page.mouse.move(rects[2], rects[3], steps=5)
    page.mouse.up()


def test_spans_are_selected_with_the_mouse_and_labeled_with_keys(
        org: Org, page: Any, screenshot: Shot) -> None:
    project = org.client.create_project(name="NER", kind="spans",
                                        params={"labels": ["ORG", "PER"]})
    text = "Ada Lovelace met Babbage at Acme Labs."
    task = org.client.create_task(project["id"], {"text": text})
    open_signed_in(page, worker_account(org), f"/work/{project['id']}")
    task_ready(page)
    _drag_select(page, 0, 12)  # "Ada Lovelace"
    page.keyboard.press("2")
    _drag_select(page, 28, 37)  # "Acme Labs"
    page.keyboard.press("1")
    _drag_select(page, 17, 24)  # "Babbage", then removed by a click
    page.keyboard.press("2")
    page.locator('#spans-text mark[data-start="17"]').click()
    screenshot("label-spans")
    page.keyboard.press("Enter")
    nothing_left(page)
    assert _answers(org, task["id"]) == [{"spans": [
        {"start": 0, "end": 12, "label": "PER"}, {"start": 28, "end": 37, "label": "ORG"}]}]


def test_boxes_are_drawn_with_the_mouse_labeled_and_deleted(
        org: Org, page: Any, screenshot: Shot, image_url: str) -> None:
    project = org.client.create_project(name="Cars", kind="boxes",
                                        params={"labels": ["car", "person"]})
    task = org.client.create_task(project["id"], {"image_url": image_url})
    open_signed_in(page, worker_account(org), f"/work/{project['id']}")
    task_ready(page)
    image = page.locator("#box-stage img")
    for _ in range(200):
        if page.evaluate("() => document.querySelector('#box-stage img').naturalWidth") > 0:
            break
        page.wait_for_timeout(20)
    box = image.bounding_box()
    scale = 400 / box["width"]

    def drag(x0: float, y0: float, x1: float, y1: float) -> None:
        page.mouse.move(box["x"] + x0 / scale, box["y"] + y0 / scale)
        page.mouse.down()
        page.mouse.move(box["x"] + x1 / scale, box["y"] + y1 / scale, steps=5)
        page.mouse.up()

    drag(40, 30, 200, 150)
    page.keyboard.press("1")
    drag(250, 100, 350, 280)
    page.keyboard.press("2")
    drag(10, 200, 60, 260)
    page.keyboard.press("Delete")  # the last box, still selected, goes
    screenshot("label-boxes")
    page.keyboard.press("Enter")
    nothing_left(page)
    [answer] = _answers(org, task["id"])
    got = sorted(answer["boxes"], key=lambda b: b["x"])
    assert [b["label"] for b in got] == ["car", "person"]
    for b, (x, y, w, h) in zip(got, [(40, 30, 160, 120), (250, 100, 100, 180)], strict=True):
        assert abs(b["x"] - x) <= 3 and abs(b["y"] - y) <= 3
        assert abs(b["w"] - w) <= 4 and abs(b["h"] - h) <= 4
