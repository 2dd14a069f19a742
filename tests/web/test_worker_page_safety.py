"""The worker page in real headless Chromium. It never loses work: Esc in a text box keeps
the text, a reload gives back what was typed, a held key answers once, an answer sooner than
the project's minimum time waits, the lease counts down and its end keeps what was done,
and an empty answer takes Shift+Enter; spans and boxes work by keyboard only. It shows task
data safely: the renderer's sanitizing (static/render.js) case by case, and a compare task
with Markdown replies, an image, a table of fields, criteria and strength. Every answer is
checked through the API (one module: one server per database)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support import Org, categorize_project
from tests.web.browser import (
    deliver_held,
    next_task_ready,
    nothing_left,
    open_signed_in,
    task_ready,
)
from tests.web.support import worker_account
from tests.web.test_browser_spans_boxes import _png

PNG = "data:image/png;base64," + base64.b64encode(_png(4, 3)).decode()
SVG = "data:image/svg+xml;base64," + base64.b64encode(b"<svg onload='x()'/>").decode()

# Each case: Markdown in, then what must show as text (markup stays text).
MARKDOWN_CASES = [
    ("<script>window.__pwned = 1</script>", "<script>window.__pwned = 1</script>"),
    ('<img src="x" onerror="window.__pwned = 2">', 'onerror="window.__pwned = 2"'),
    ("[click](javascript:window.__pwned=3)", "[click](javascript:window.__pwned=3)"),
    ("[click](JaVaScRiPt:window.__pwned=4)", "JaVaScRiPt:"),
    ("![x](javascript:window.__pwned=5)", "![x](javascript:window.__pwned=5)"),
    (f"![x]({SVG})", "![x]("),
    ("[x](data:text/html,<script>window.__pwned=6</script>)", "data:text/html"),
    ("```html\n<script>window.__pwned = 7</script>\n```", "<script>window.__pwned = 7</script>"),
    ("**<b onclick=\"window.__pwned=8\">bold</b>**", '<b onclick="window.__pwned=8">bold</b>'),
    ("`<iframe src=javascript:alert(1)>`", "<iframe src=javascript:alert(1)>"),
]

CHECK = """async ([cases, png]) => {
  const { markdown, dataView } = await import('/static/render.js');
  const out = document.createElement('div');
  document.body.append(out);
  const texts = cases.map(([source]) => {
    const node = markdown(source);
    out.append(node);
    return node.textContent;
  });
  out.append(dataView({ html: '<svg onload="window.__pwned = 9"></svg>',
                        nested: { list: [1, 'two'], deep: { deeper: { deepest: 1 } } },
                        photo: png, link: 'javascript:window.__pwned = 10' }));
  const good = markdown('# Title\\n\\n**bold** *em* `code` [site](https://example.com/a)\\n\\n'
    + '- one\\n- two\\n\\n1. first\\n\\n```py\\nprint(1)\\n```\\n\\n![dot](' + png + ')');
  out.append(good);
  const all = [...out.querySelectorAll('*')];
  return {
    texts,
    tags: [...new Set(all.map((n) => n.tagName.toLowerCase()))].sort(),
    handlers: all.flatMap((n) => [...n.attributes].map((a) => a.name))
      .filter((a) => a.startsWith('on')),
    urls: all.flatMap((n) => ['href', 'src'].map((a) => n.getAttribute(a)).filter(Boolean)),
    good: { h: good.querySelector('h3')?.textContent,
            strong: good.querySelector('strong')?.textContent,
            em: good.querySelector('em')?.textContent,
            code: good.querySelector('p code')?.textContent,
            a: good.querySelector('a')?.getAttribute('href'), rel: good.querySelector('a')?.rel,
            items: good.querySelectorAll('ul li').length, ol: good.querySelectorAll('ol li').length,
            pre: good.querySelector('pre code')?.textContent, img: good.querySelector('img')?.alt },
    table: [...out.querySelectorAll(':scope > table.fields > tbody > tr')]
      .map((r) => r.dataset.field),
    nested: out.querySelectorAll('table.fields table.fields').length,
    pre: out.querySelector('table.fields pre.json')?.textContent.includes('deepest'),
    pwned: window.__pwned ?? null,
  };
}"""


def _answers(org: Org, task_id: str) -> list[Any]:
    return [r["answer"] for r in org.client.get_task(task_id, include_responses=True)["responses"]]


Shot = Callable[[str], Path]


def test_typed_text_survives_esc_a_reload_and_the_end_of_the_lease(org: Org, page: Any,
                                                                    screenshot: Shot) -> None:
    project = org.client.create_project(name="Captions", kind="text", lease_seconds=8)
    first = org.client.create_task(project["id"], {"text": "Describe it."})
    worker = worker_account(org)
    open_signed_in(page, worker, f"/work/{project['id']}")
    assignment = task_ready(page)
    expect(page.locator("#lease")).to_contain_text("s left")
    page.keyboard.type("a grey cat")
    page.keyboard.press("Escape")  # leaves the box; does not skip
    expect(page.locator("#answer-text")).not_to_be_focused()
    expect(page.locator("#answer-text")).to_have_value("a grey cat")
    expect(page.locator("#task")).to_have_attribute("data-assignment", assignment)
    page.reload()  # the same live assignment comes back, with its text
    assert task_ready(page) == assignment
    expect(page.locator("#answer-text")).to_have_value("a grey cat")
    expect(page.locator("#status")).to_contain_text("Restored")
    # The lease runs out: a warning first, then the text stays on screen to be copied.
    expect(page.locator('#lease[data-warn="true"]')).to_be_visible(timeout=10_000)
    expect(page.locator("#status")).to_contain_text("nearly up")
    expect(page.locator("#expired")).to_be_visible(timeout=10_000)
    expect(page.locator("#task")).to_have_attribute("data-state", "expired")
    expect(page.locator("#answer-text")).to_have_value("a grey cat")
    screenshot("label-lease-expired")
    page.locator("#answer-text").press("Control+Enter")  # too late: nothing is sent
    expect(page.locator("#status")).to_contain_text("Time ran out")
    page.locator("#answer-text").press("Escape")
    page.keyboard.press("n")
    nothing_left(page)  # never offered the same task twice
    assert _answers(org, first["id"]) == []


def test_a_held_key_answers_once_and_too_fast_waits(org: Org, page: Any) -> None:
    held = categorize_project(org, name="Held")
    tasks = [org.client.create_task(held["id"], {"text": f"held {i}"}) for i in range(3)]
    slow = categorize_project(org, name="Slow", limits={"min_seconds_per_task": 3})
    timed = org.client.create_task(slow["id"], {"text": "take your time"})
    worker = worker_account(org)
    open_signed_in(page, worker, f"/work/{held['id']}")
    assignment = task_ready(page)
    for _ in range(20):  # a held key: one keydown, then 19 auto-repeats
        page.keyboard.down("1")
    page.keyboard.up("1")
    next_task_ready(page, assignment)
    deliver_held(page)  # sent now rather than at the end of the undo window
    expect(page.locator("#status")).to_have_text("Answered 1 in this session.")
    expect(page.locator("#announce")).to_have_text("New task (2 in this session).")
    expect(page.locator("#task")).to_be_focused()
    assert [_answers(org, t["id"]) for t in tasks] == [[{"label": "pos"}], [], []]

    page.goto(f"/work/{slow['id']}")
    task_ready(page)
    page.keyboard.press("2")  # at once: refused on the page
    expect(page.locator("#status")).to_contain_text("at least 3 s per task")
    assert _answers(org, timed["id"]) == []
    page.wait_for_timeout(3000)
    page.keyboard.press("2")
    nothing_left(page)
    assert _answers(org, timed["id"]) == [{"label": "neg"}]


def test_spans_and_boxes_with_the_keyboard_only(org: Org, page: Any, screenshot: Shot) -> None:
    ner = org.client.create_project(name="NER", kind="spans", params={"labels": ["ORG", "PER"]})
    text_task = org.client.create_task(ner["id"], {"text": "Ada Lovelace met Babbage."})
    worker = worker_account(org)
    open_signed_in(page, worker, f"/work/{ner['id']}")
    assignment = task_ready(page)
    page.keyboard.press("Enter")  # nothing marked: not an answer
    expect(page.locator("#status")).to_contain_text("Shift+Enter")
    expect(page.locator("#task")).to_have_attribute("data-assignment", assignment)
    for key in ("Control+Shift+ArrowRight", "Control+Shift+ArrowRight", "2",
                "Control+ArrowRight", "Control+ArrowRight", "Control+Shift+ArrowRight", "2",
                "ArrowLeft", "Shift+ArrowLeft", "Shift+ArrowLeft"):
        page.keyboard.press(key)
    assert page.eval_on_selector_all(
        "#spans-text .selected", "nodes => nodes.map((n) => n.textContent).join('')") == "ba"
    colours = page.eval_on_selector_all(
        ".legend-item .swatch", "nodes => nodes.map((n) => getComputedStyle(n).backgroundColor)")
    assert len(set(colours)) == 2
    screenshot("label-spans-keyboard")
    page.keyboard.press("Enter")
    nothing_left(page)
    assert _answers(org, text_task["id"]) == [{"spans": [
        {"start": 0, "end": 12, "label": "PER"}, {"start": 17, "end": 24, "label": "PER"}]}]

    boxes = org.client.create_project(name="Cars", kind="boxes",
                                      params={"labels": ["car", "person"]})
    url = "data:image/png;base64," + base64.b64encode(_png(400, 300)).decode()
    image_task = org.client.create_task(boxes["id"], {"image_url": url})
    page.goto(f"/work/{boxes['id']}")
    task_ready(page)
    page.keyboard.press("Enter")  # no box: not an answer
    expect(page.locator("#status")).to_contain_text("Shift+Enter")
    # b adds a box (a quarter of the image, in its middle); a step is 1% of the shorter side.
    for key in ("b", "ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowDown",
                "Shift+ArrowDown", "1", "b", "2", "b", "[", "Delete", "Delete"):
        page.keyboard.press(key)
    expect(page.locator("#box-stage .box")).to_have_count(1)
    screenshot("label-boxes-keyboard")
    car, person = colours
    assert page.eval_on_selector(
        "#box-stage .box", "n => getComputedStyle(n).borderTopColor") == car != person
    # The pointer moves the box by its body and resizes it by its corner handle.
    assert page.eval_on_selector("#box-stage img", "n => n.clientWidth") == 400  # scale 1
    for selector, dx, dy in (("#box-stage .box", 30, 15), ("#box-stage .box-handle", 10, 12)):
        where = page.locator(selector).bounding_box()
        x, y = where["x"] + where["width"] / 2, where["y"] + where["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx, y + dy, steps=4)
        page.mouse.up()
    page.keyboard.press("Enter")
    nothing_left(page)
    assert _answers(org, image_task["id"]) == [
        {"boxes": [{"x": 139, "y": 90, "w": 110, "h": 93, "label": "car"}]}]


def test_the_renderer_lets_no_markup_through(org: Org, page: Any) -> None:
    page.goto("/login")
    got = page.evaluate(CHECK, [[list(c) for c in MARKDOWN_CASES], PNG])
    for (source, shown), text in zip(MARKDOWN_CASES, got["texts"], strict=True):
        assert shown in text, source
    # Only the renderer's own elements: no script, iframe, svg, b, style from the data.
    assert set(got["tags"]) <= {"a", "code", "div", "em", "h3", "img", "li", "ol", "p", "pre",
                                "span", "strong", "table", "tbody", "td", "th", "tr", "ul"}
    assert got["handlers"] == []
    assert sorted(got["urls"]) == sorted([PNG, "https://example.com/a", PNG])
    assert got["good"] == {"h": "Title", "strong": "bold", "em": "em", "code": "code",
                           "a": "https://example.com/a", "rel": "noopener noreferrer nofollow",
                           "items": 2, "ol": 1, "pre": "print(1)", "img": "dot"}
    assert got["table"] == ["html", "nested", "photo", "link"]
    assert got["nested"] == 2 and got["pre"] is True
    page.wait_for_timeout(100)  # an image's onerror would have fired by now
    assert got["pwned"] is None and page.evaluate("window.__pwned ?? null") is None


def test_compare_asks_criteria_and_strength_and_shows_replies(org: Org, page: Any,
                                                              screenshot: Shot) -> None:
    project = org.client.create_project(
        name="Replies", kind="compare",
        params={"allow_tie": True, "criteria": ["helpfulness", "safety"]})
    reply = "Use **sorted**:\n\n```python\nprint(sorted(xs))\n```\n\n![chart](" + PNG + ")"
    task = org.client.create_task(project["id"], {
        "prompt": "How do I sort?", "a": reply,
        "b": {"text": "Call `xs.sort()`.", "model": "m2", "meta": {"tokens": 7}}})
    plain = org.client.create_project(name="Plain", kind="compare")
    second = org.client.create_task(plain["id"], {"prompt": "p", "a": "x", "b": "y",
                                                  "image_url": PNG})
    worker = worker_account(org)
    open_signed_in(page, worker, f"/work/{project['id']}")
    task_ready(page)
    side_a = page.locator('.side[data-side="a"]')
    expect(side_a.locator("strong")).to_have_text("sorted")
    expect(side_a.locator("pre.code code")).to_have_text("print(sorted(xs))")
    expect(side_a.locator("img")).to_have_attribute("alt", "chart")
    side_b = page.locator('.side[data-side="b"]')
    expect(side_b.locator(".text code")).to_have_text("xs.sort()")
    expect(side_b.locator('tr[data-field="meta"] tr[data-field="tokens"] td')).to_have_text("7")
    page.keyboard.press("Enter")  # nothing judged yet
    expect(page.locator("#status")).to_contain_text("helpfulness")
    page.keyboard.press("a")
    page.keyboard.press("t")
    page.reload()  # what was judged comes back
    task_ready(page)
    expect(page.locator('.compare-row.active[data-criterion=""]')).to_be_visible()
    for key in ("3", "b"):
        page.keyboard.press(key)
    screenshot("label-compare-criteria")
    safety = page.locator('.compare-row[data-criterion="safety"] [aria-pressed="true"]')
    expect(safety).to_have_text("tTie")
    page.keyboard.press("Enter")
    nothing_left(page)
    page.goto(f"/work/{plain['id']}")
    task_ready(page)
    expect(page.locator("#task img.task-image")).to_have_count(1)
    page.keyboard.press("2")
    page.keyboard.press("a")
    nothing_left(page)
    got = [org.client.get_task(t["id"], include_responses=True)["responses"][0]["answer"]
           for t in (task, second)]
    assert got == [{"choice": "b", "strength": 3,
                    "criteria": {"helpfulness": "a", "safety": "tie"}},
                   {"choice": "a", "strength": 2}]
