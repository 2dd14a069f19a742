"""Task data on the worker page, in real headless Chromium: the renderer's sanitizing
(static/render.js) case by case, and a compare task with Markdown replies, an image, a
table of fields, criteria and strength, answered with the keyboard and checked through
the API."""

from __future__ import annotations

import base64
from typing import Any

from playwright.sync_api import expect

from tests.support import Org
from tests.web.browser import nothing_left, open_signed_in, task_ready
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


def test_compare_asks_criteria_and_strength_and_shows_replies(org: Org, page: Any) -> None:
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
    for key in ("a", "t", "3", "b"):
        page.keyboard.press(key)
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
