"""The curation page in real headless Chromium, driven only through the page: a search
puts the planted rewording in the first rows, the duplicates run shows its pair and the
newer copy is cancelled, the suspects from uploaded predictions are listed and the ticked
one goes to review; a worker sees a suggestion and accepts it with one key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support import Org, categorize_project
from tests.test_curation_search import PLANTED, QUERY, TOPICS
from tests.web.browser import nothing_left, open_signed_in, task_ready
from tests.web.support import user_account, worker_account

Shot = Callable[[str], Path]


def test_a_requester_curates_a_project_from_its_page(org: Org, page: Any,
                                                      screenshot: Shot) -> None:
    project = categorize_project(org, name="Curated",
                                 curation={"embedding_model": "hashing"})["id"]
    ids = [org.client.create_task(project, {"text": t})["id"] for t in TOPICS]
    planted = org.client.create_task(project, {"text": PLANTED})["id"]
    copy = org.client.create_task(project, {"text": TOPICS[5]})["id"]
    worker = org.worker()
    for label in ("pos", "pos", "neg"):  # the three oldest complete
        offer = worker.next(project)
        assert offer is not None
        worker.submit(offer["assignment_id"], {"label": label})
    with org.http() as http:  # the model says ids[0], labelled pos, is neg
        preds = [{"task_id": ids[i], "probabilities": {"pos": 0.1, "neg": 0.1, "neu": 0.1,
                                                       best: 0.8}}
                 for i, best in enumerate(("neg", "pos", "neg"))]
        assert http.post(f"/v1/projects/{project}/predictions",
                         json={"predictions": preds}).status_code == 200
    open_signed_in(page, user_account(org), f"/projects/{project}/curation")

    page.fill("#search-q", QUERY)
    page.click("#search-form button[type=submit]")
    expect(page.locator("#search-status")).to_contain_text("nearest first")
    first_two = page.locator("#search-results tbody tr").filter(has_text=PLANTED)
    expect(first_two).to_have_count(1)
    rows = [page.locator("#search-results tbody tr").nth(i).get_attribute("data-task")
            for i in range(2)]
    assert planted in rows

    page.click("#dup-find")
    expect(page.locator("#dup-status")).to_contain_text("1 pair(s)")
    expect(page.locator("#dup-pairs tbody tr")).to_contain_text(copy)
    page.click("#dup-cancel")
    expect(page.locator("#dup-status")).to_contain_text("Cancelled 1 task(s)")

    page.click("#suspects-load")
    expect(page.locator("#suspects-status")).to_contain_text("suspect(s)")
    row = page.locator("#suspects-table tbody tr").filter(has_text="confident learning")
    expect(row).to_have_count(1)
    suspect = row.get_attribute("data-task")
    assert suspect == ids[0]
    row.locator("input[type=checkbox]").check()
    screenshot("curation")
    page.click("#suspects-send")
    expect(page.locator("#suspects-status")).to_contain_text("Sent 1 to review")
    expect(page.locator("#suspects-precision")).to_contain_text("1 sent to review")
    assert org.client.get_task(copy)["status"] == "canceled"
    assert suspect is not None and org.client.get_task(suspect)["review_status"] == "pending"


def test_a_worker_accepts_a_suggestion_with_one_key(org: Org, page: Any) -> None:
    project = categorize_project(org, name="Suggested", curation={"suggestions": True})["id"]
    task = org.client.create_task(project, {"text": "a pre-labelled item"})["id"]
    with org.http() as http:
        assert http.post(f"/v1/projects/{project}/predictions", json={"predictions": [
            {"task_id": task, "probabilities": {"neu": 0.9, "pos": 0.1}}]}).status_code == 200
    open_signed_in(page, worker_account(org), f"/work/{project}")
    task_ready(page)
    expect(page.locator("#suggestion")).to_contain_text("Suggested: neu (90%)")
    page.keyboard.press("a")
    expect(page.locator("#suggestion")).to_have_count(0)
    nothing_left(page)
    result = org.client.get_task(task)
    assert result["status"] == "completed" and result["result"]["answer"] == {"label": "neu"}
