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


def test_settings_show_a_live_preview_and_save(org: Org, page: Any, screenshot: Shot) -> None:
    project = categorize_project(org, name="Previewed", params={"labels": ["pos", "neg"]})
    org.client.create_task(project["id"], {"text": "the first task"})
    open_signed_in(page, user_account(org), f"/projects/{project['id']}/settings")
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("#task")).to_contain_text("the first task")
    expect(frame.locator("button.choice")).to_have_count(2)
    page.fill("#f-labels", "pos\nneg\nmixed")
    expect(frame.locator("button.choice")).to_have_count(3)
    expect(frame.locator("button.choice").nth(2)).to_contain_text("mixed")
    frame.locator("button.choice").nth(2).click()
    expect(frame.locator("#preview-answer")).to_contain_text('{"label":"mixed"}')
    page.fill("#f-labels", "pos\npos")
    expect(frame.locator("#preview-problems")).to_contain_text("labels")
    screenshot("settings-preview-problem")
    page.fill("#f-labels", "pos\nneg\nmixed")
    page.fill("#f-overlap", "0")
    page.click('#settings button[type="submit"]')
    expect(page.locator("#overlap-errors")).to_contain_text("greater than or equal to 1")
    expect(page.locator("#f-labels")).to_have_value("pos\nneg\nmixed")
    page.fill("#f-overlap", "2")
    page.fill("#f-max_overlap", "2")
    page.click('#settings button[type="submit"]')
    expect(page.locator("#saved")).to_be_visible()
    screenshot("settings-saved")
    saved = org.client.get_project(project["id"])
    assert saved["params"]["labels"] == ["pos", "neg", "mixed"]
    assert saved["quality"]["overlap"] == 2
    # the preview's answer was never sent
    assert org.client.list_tasks(project=project["id"])["docs"][0]["status"] == "pending"
