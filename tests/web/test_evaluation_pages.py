"""The evaluation and leaderboard pages in real headless Chromium: an evaluation of three
uploaded contestants whose battles a worker decides (API), then a requester reads its
progress and its leaderboard (ratings drawn with intervals, the table, win rates, the tabs
by source and category); another organization's evaluation is a 404 page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support import Org
from tests.web.browser import open_signed_in
from tests.web.support import judge_every_battle_longer_wins, signed_in_client, user_account

Shot = Callable[[str], Path]

REPLIES = {"terse": "ok", "plain": "a plain answer", "rich": "a rich, long, careful answer"}


def test_a_requester_reads_an_evaluation_and_its_leaderboard(org: Org, other_org: Org,
                                                              page: Any,
                                                              screenshot: Shot) -> None:
    prompts = [{"id": f"p{i}", "prompt": f"Question {i}?", "reference": "long",
                "category": "math" if i < 3 else "chat"} for i in range(6)]
    responses = [{"prompt_id": p["id"], "model": m, "content": f"{text} {p['id']}"}
                 for p in prompts for m, text in REPLIES.items()]
    with org.http() as http:
        made = http.post("/v1/evaluations", json={
            "name": "House models", "prompts": prompts, "responses": responses,
            "human": {"battles_per_prompt": 3}, "auto": {"scorers": ["contains"]}})
        assert made.status_code == 201, made.text
    evaluation = made.json()
    judge_every_battle_longer_wins(org, evaluation["project"])

    open_signed_in(page, user_account(org), "/evaluations")
    page.click(f'#evaluations tr[data-evaluation="{evaluation["id"]}"] a')
    expect(page.locator("#evaluation-status")).to_have_text("done")
    expect(page.locator("#generation-text")).to_contain_text("18 of 18 replies (100%)")
    expect(page.locator('#evaluation-figures dd[data-field="human"]')).to_have_text("18 of 18")
    expect(page.locator('#evaluation-cost dd[data-field="cost"]')).to_have_text("no prices set")
    screenshot("evaluation")
    page.click('nav.tabs a:has-text("Leaderboard")')
    rows = page.locator("#leaderboard tbody tr")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).get_attribute("data-model") for i in range(3)] == ["rich", "plain",
                                                                          "terse"]
    expect(page.locator("#chart-ratings g.row")).to_have_count(3)
    expect(page.locator("#chart-ratings rect.interval")).to_have_count(3)
    expect(page.locator('#win-rates tr[data-model="rich"] td').nth(1)).to_contain_text("100%")
    expect(page.locator("#no-judge")).to_be_visible()
    screenshot("leaderboard")
    page.click('#category-tabs a[data-category="math"]')
    expect(page.locator('#category-tabs a[aria-current="page"]')).to_have_text("math")
    expect(page.locator('#leaderboard tr[data-model="rich"] td[data-field="battles"]')
           ).to_have_text("6")
    page.click('#source-tabs a[data-source="judge"]')
    expect(page.locator("#leaderboard-refused")).to_contain_text("no judgments yet")
    with signed_in_client(org.url, user_account(other_org)) as http:
        for path in (f"/evaluations/{evaluation['id']}",
                     f"/evaluations/{evaluation['id']}/leaderboard"):
            foreign = http.get(path)
            assert foreign.status_code == 404 and "House models" not in foreign.text
