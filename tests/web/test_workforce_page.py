"""The workforce page over HTTP: the project's workers with their figures, a paused
worker's appeal, reviewers and their levels, the cost and the payouts."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from assay.quality.operator import operator_pause
from tests.support import Org, categorize_project
from tests.web.browser import open_signed_in
from tests.web.support import signed_in_client, user_account

XSS = "<script>window.__pwned=1</script>"


def test_the_workforce_page_shows_workers_appeals_reviewers_and_cost(org: Org,
                                                                     other_org: Org) -> None:
    project = categorize_project(org, name="Crew", pay={"per_task": "0.10", "currency": "USD"})
    org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}"}} for i in range(3)])
    workers = [org.worker(), org.worker()]
    ids = []
    for worker in workers:
        offer = worker.next(project["id"])
        assert offer is not None
        worker.submit(offer["assignment_id"], {"label": "pos"})
        ids.append(worker.me()["worker_id"])
    org.db.write(lambda s: operator_pause(s, project["id"], ids[0], "operator", "checking"))
    appeal = workers[0]._call("POST", "/v1/work/appeals",
                              json={"project": project["id"], "message": "please " + XSS})
    org.client.add_reviewer(project["id"], ids[1], level=2)
    theirs = categorize_project(other_org)
    with signed_in_client(org.url, user_account(org, "viewer")) as http:
        html = http.get(f"/projects/{project['id']}/workforce").text
        foreign = http.get(f"/projects/{theirs['id']}/workforce")
    for worker_id in ids:
        row = re.search(rf'<tr data-worker="{worker_id}">(.*?)</tr>', html, re.S)
        assert row and 'data-field="answers">1<' in row.group(1)
    paused = re.search(rf'<tr data-worker="{ids[0]}">(.*?)</tr>', html, re.S)
    assert paused and 'data-field="status">paused (operator)<' in paused.group(1)
    row = re.search(rf'<tr data-appeal="{appeal["id"]}">(.*?)</tr>', html, re.S)
    assert row and 'data-field="status">pending<' in row.group(1)
    assert "please &lt;script&gt;" in row.group(1) and XSS not in html
    assert re.search(rf'<tr data-reviewer="{ids[1]}">.*?data-field="level">2<', html, re.S)
    assert 'data-field="total">0.20<' in html
    assert foreign.status_code == 404
    assert "worker-pause" not in html and "appeal-grant" not in html  # a viewer reads only


def test_a_member_pauses_a_worker_and_grants_their_appeal(org: Org, page: Any) -> None:
    project = categorize_project(org, name="Held")
    org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}"}} for i in range(3)])
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    wid = worker.me()["worker_id"]
    open_signed_in(page, user_account(org), f"/projects/{project['id']}/workforce")
    row = page.locator(f'tr[data-worker="{wid}"]')
    page.once("dialog", lambda dialog: dialog.accept("too fast on long texts"))
    row.locator("button.worker-pause").click()
    expect(page.locator("#workforce-status")).to_have_text(f"{wid} is paused.")
    expect(row.locator('[data-field="status"]')).to_have_text("paused (operator)")
    worker._call("POST", "/v1/work/appeals", json={"project": project["id"],
                                                   "message": "I read them all"})
    page.reload()
    page.once("dialog", lambda dialog: dialog.accept("fair enough"))
    page.locator("#appeals button.appeal-grant").click()
    expect(page.locator("#workforce-status")).to_have_text(f"The appeal of {wid} is granted.")
    expect(row.locator('[data-field="status"]')).to_have_text("active")
    assert worker.next(project["id"]) is not None
    page.fill("#v-worker", "wrk_00000000000000000000000a")
    page.click('#add-reviewer button[type="submit"]')
    expect(page.locator("#add-reviewer-form-errors")).to_contain_text("does not exist")
    page.fill("#v-worker", wid)
    page.select_option("#v-level", "2")
    page.click('#add-reviewer button[type="submit"]')
    expect(page.locator(f'tr[data-reviewer="{wid}"] [data-field="level"]')).to_have_text("2")
