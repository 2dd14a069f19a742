"""The gold and training page: the project's gold and training tasks with how workers did
on each (over HTTP); in Chromium a member adds a gold task after the API refuses its answer
by field, and retires one."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.support import Org, categorize_project
from tests.web.browser import open_signed_in
from tests.web.support import page_token, signed_in_client, user_account

XSS = "<script>window.__pwned=1</script>"


def test_gold_and_training_are_listed_with_how_workers_did(org: Org, other_org: Org) -> None:
    project = categorize_project(org, name="Gold", quality={"overlap": 1, "gold_rate": 1.0})
    gold = org.client.add_gold(project["id"], {"text": "gold " + XSS}, {"label": "pos"})
    training = org.client.add_training(project["id"], {"text": "learn"}, {"label": "neg"},
                                       "because it is negative")
    org.client.create_tasks(project["id"], [{"data": {"text": f"live {i}"}} for i in range(3)])
    answered = 0
    for label in ("pos", "neg"):
        worker = org.worker()
        for _ in range(5):
            offer = worker.next(project["id"])
            if offer is None:
                break
            if offer["data"]["text"].startswith("gold"):
                answered += 1
                worker.submit(offer["assignment_id"], {"label": label})
                break
            worker.submit(offer["assignment_id"], {"label": "neg"})
    theirs = categorize_project(other_org)
    with signed_in_client(org.url, user_account(org, "viewer")) as http:
        html = http.get(f"/projects/{project['id']}/gold").text
        foreign = http.get(f"/projects/{theirs['id']}/gold")
    row = re.search(rf'<tr data-gold="{gold["id"]}">(.*?)</tr>', html, re.S)
    assert row, html[-3000:]
    assert answered == 2  # gold rate 1: each worker is offered the gold task
    assert 'data-field="answers">2<' in row.group(1)
    assert 'data-field="right">50%<' in row.group(1)
    assert "&lt;script&gt;" in row.group(1) and XSS not in html
    assert "gold-retire" not in html and "add-reference" not in html  # a viewer reads only
    assert f'<tr data-training="{training["id"]}">' in html
    assert "because it is negative" in html
    assert foreign.status_code == 404
    entries = org.http().get("/v1/audit", params={"action": "gold.list",
                                                   "object": project["id"]}).json()["docs"]
    assert entries and entries[-1]["actor"]["type"] == "user"


def test_a_member_adds_and_retires_gold_in_the_browser(org: Org, page: Any) -> None:
    project = categorize_project(org, name="Gold by hand")
    open_signed_in(page, user_account(org), f"/projects/{project['id']}/gold")
    page.fill("#r-data", '{"text": "a clear case"}')
    page.fill("#r-answer", '{"label": "maybe"}')
    page.click('#add-reference button[type="submit"]')
    expect(page.locator("#add-reference-answer-errors")).to_be_visible()
    page.fill("#r-answer", '{"label": "pos"}')
    page.click('#add-reference button[type="submit"]')
    expect(page.locator("#gold-status")).to_contain_text("was added")
    row = page.locator("#gold tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("a clear case")
    row.locator("button.gold-edit").click()
    expect(page.locator("#r-answer")).to_have_value('{"label":"pos"}')
    page.fill("#r-answer", '{"label": "neg"}')
    page.click('#add-reference button[type="submit"]')
    expect(page.locator("#gold-status")).to_contain_text("was replaced by")
    expect(row).to_have_count(2)
    live = page.locator("#gold tbody tr:not(.revoked)")
    expect(live).to_have_count(1)
    newer = page.locator(f'tr[data-gold="{live.get_attribute("data-gold")}"]')
    newer.locator("button.gold-retire").click()
    expect(newer.locator('[data-field="status"]')).to_have_text("retired")
    listed = org.http().get(f"/v1/projects/{project['id']}/gold").json()["docs"]
    assert [(g["answer"], g["retired"]) for g in listed] == [
        ({"label": "pos"}, True), ({"label": "neg"}, True)]
    assert listed[1]["data"] == {"text": "a clear case"}


def test_gold_imports_all_or_nothing_with_bad_lines_named(org: Org) -> None:
    project = categorize_project(org, name="Gold file")
    good = [json.dumps({"data": {"text": f"g{i}"}, "answer": {"label": "pos"}})
            for i in range(3)]
    bad = [good[0], json.dumps({"data": {"text": "x"}, "answer": {"label": "maybe"}}),
           "{not json", json.dumps({"data": {"text": "y"}})]
    with signed_in_client(org.url, user_account(org)) as http:
        token = page_token(http.get(f"/projects/{project['id']}/gold").text)

        def send(lines: list[str], purpose: str = "gold", csrf: str = token) -> httpx.Response:
            return http.post(f"/projects/{project['id']}/gold/import",
                             headers={"X-CSRF-Token": csrf}, data={"purpose": purpose},
                             files={"file": ("gold.jsonl", "\n".join(lines).encode())})

        refused = send(bad)
        assert org.http().get(f"/v1/projects/{project['id']}/gold").json()["docs"] == []
        done = send(good)
        training = send([json.dumps({"data": {"text": "t"}, "answer": {"label": "neg"},
                                     "explanation": "why"})], "training")
        forged = send(good, csrf="")
    assert refused.status_code == 422
    errors = refused.json()["error"]["details"]["errors"]
    assert [e["line"] for e in errors] == [2, 3, 4]
    assert errors[0]["fields"][0]["field"].startswith("answer")
    assert done.status_code == 200 and done.json() == {"created": 3}
    assert training.json() == {"created": 1}
    assert forged.status_code == 403
    listed = org.http().get(f"/v1/projects/{project['id']}/gold").json()["docs"]
    assert sorted(g["data"]["text"] for g in listed) == ["g0", "g1", "g2"]
