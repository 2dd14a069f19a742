"""The requester console in real headless Chromium: a file dropped on the import page is
previewed, refused whole with its bad lines named, then imported (1,000 tasks) with no API
call of the test's own, and exported again from the page's button."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support import Org, categorize_project
from tests.web.browser import open_signed_in
from tests.web.support import user_account

Shot = Callable[[str], Path]
ROWS = 1000


def _drop(page: Any, name: str, text: str) -> None:
    """Drop a file with ``text`` on the import page's drop zone, as a person dragging it
    from their desktop does (a DataTransfer holding a File)."""
    transfer = page.evaluate_handle(
        "([name, text]) => { const t = new DataTransfer();"
        " t.items.add(new File([text], name, {type: 'application/x-ndjson'})); return t; }",
        [name, text])
    page.dispatch_event("#drop", "dragenter", {"dataTransfer": transfer})
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})


def test_a_requester_imports_a_dropped_file_and_exports_it(org: Org, page: Any,
                                                            screenshot: Shot) -> None:
    project = categorize_project(org, name="Dropped")
    lines = [json.dumps({"data": {"text": f"review {i}"}, "unique_id": f"r{i:04d}"})
             for i in range(ROWS)]
    bad = list(lines)
    bad[2] = "{not json"
    bad[499] = json.dumps({"data": {"text": "x"}, "unique_id": "r0499", "priority": "high"})
    open_signed_in(page, user_account(org), f"/projects/{project['id']}/data")

    _drop(page, "tasks.jsonl", "\n".join(bad) + "\n")
    expect(page.locator("#file-name")).to_contain_text("tasks.jsonl")
    preview = page.locator("#preview-table tbody tr")
    expect(preview).to_have_count(10)
    expect(preview.nth(0)).to_contain_text("review 0")
    expect(page.locator('#preview-table tr[data-line="3"]')).to_contain_text("not valid JSON")
    page.click("#import-button")
    expect(page.locator("#import-status")).to_contain_text("nothing was imported")
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0).locator("td").nth(0)).to_have_text("3")
    expect(errors.nth(1).locator("td").nth(0)).to_have_text("500")
    expect(errors.nth(1)).to_contain_text("priority")
    screenshot("import-errors")
    assert list(org.client.iter_tasks(project=project["id"])) == []

    _drop(page, "tasks.jsonl", "\n".join(lines) + "\n")
    expect(page.locator('#preview-table tr[data-line="3"]')).to_contain_text("review 2")
    page.click("#import-button")
    expect(page.locator("#import-status")).to_have_text(f"Imported {ROWS} tasks.")
    expect(page.locator("#import-result")).to_be_hidden()
    screenshot("import-done")
    assert org.client.get_project(project["id"])["counts"]["pending"] == ROWS

    with page.expect_download() as download:
        page.click('a[data-format="jsonl"]')
    exported = Path(download.value.path()).read_text().splitlines()
    assert len(exported) == ROWS
    assert sorted(json.loads(line)["unique_id"] for line in exported) == [
        f"r{i:04d}" for i in range(ROWS)]
