"""The leaderboard page over plain HTTP (SQLite and PostgreSQL): the rubric ratings section,
a table and an interval chart per criterion and overall, beside the battles' ratings or, with
ratings only, in their place."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from tests.support import Org
from tests.web.support import judge_every_battle_longer_wins, signed_in_client, user_account

SVG = "{http://www.w3.org/2000/svg}"
RUBRIC = {"min": 1, "max": 5, "criteria": [{"id": "helpful", "weight": 3},
                                           {"id": "concise"}]}
# What a rater gives each reply (helpful, concise), by its text.
SCORES = {"sturdy reply 0": (5, 4), "sturdy reply 1": (4, 4), "sturdy reply 2": (5, 5),
          "wobbly reply 0": (2, 3), "wobbly reply 1": (1, 3), "wobbly reply 2": (3, 2)}
SNEAKY = "<b>wobbly</b>"


def _start(org: Org, mode: str) -> dict[str, Any]:
    with org.http() as http:
        created = http.post("/v1/evaluations", json={
            "name": f"Rubric board ({mode})",
            "prompts": [{"id": f"p{i}", "prompt": f"question {i}"} for i in range(3)],
            "responses": [{"prompt_id": f"p{i}", "model": name, "content": f"{m} reply {i}"}
                          for i in range(3) for m, name in (("sturdy", "sturdy"),
                                                            ("wobbly", SNEAKY))],
            "human": {"mode": mode, "rating": RUBRIC}})
    assert created.status_code == 201, created.text
    return dict(created.json())


def _rate_everything(org: Org, project: str) -> None:
    worker = org.worker()
    while (offer := worker.next(project)) is not None:
        helpful, concise = SCORES[offer["data"]["reply"]]
        worker.submit(offer["assignment_id"], {"scores": {"helpful": helpful,
                                                          "concise": concise}})


def _table(html: str, table_id: str) -> list[tuple[str, ...]]:
    """The rows of a table as tuples of their cells' text."""
    found = re.search(rf'<table[^>]* id="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    assert found, f"no table {table_id}"
    rows = re.findall(r"<tr data-model=[^>]*>(.*?)</tr>", found.group(1), re.S)
    return [tuple(re.sub(r"<[^>]+>", "", c).strip()
                  for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)) for row in rows]


def _chart(html: str, chart_id: str) -> ET.Element:
    found = re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', html, re.S)
    assert found, f"no chart {chart_id}"
    return ET.fromstring(found.group(0))


def _page(org: Org, evaluation_id: str) -> str:
    with signed_in_client(org.url, user_account(org)) as http:
        page = http.get(f"/evaluations/{evaluation_id}/leaderboard")
    assert page.status_code == 200, page.text
    return page.text


def test_it_shows_the_ratings_in_place_of_an_empty_leaderboard(org: Org) -> None:
    evaluation = _start(org, "rating")
    before = _page(org, evaluation["id"])
    assert 'id="leaderboard-refused"' in before and 'id="rubric-ratings"' not in before
    _rate_everything(org, evaluation["rating_project"])
    html = _page(org, evaluation["id"])
    assert 'id="ratings-only"' in html and 'id="rubric-ratings"' in html
    for absent in ('id="leaderboard"', 'id="win-rates"', 'id="chart-ratings"',
                   'id="source-tabs"', "<b>wobbly</b>"):
        assert absent not in html
    # helpful: sturdy 5, 4, 5 -> 4.67; wobbly 2, 1, 3 -> 2 (interval clipped to the scale).
    assert _table(html, "rubric-0") == [
        ("sturdy", "4.67", "3.23 to 5.00", "3"),
        ("&lt;b&gt;wobbly&lt;/b&gt;", "2.00", "1.00 to 4.48", "3")]
    assert [row[:2] for row in _table(html, "rubric-1")] == [
        ("sturdy", "4.33"), ("&lt;b&gt;wobbly&lt;/b&gt;", "2.67")]
    # overall per reply: (3 * helpful + concise) / 4 -> sturdy 4.75, 4.0, 5.0
    overall = _table(html, "rubric-2")
    assert [row[:2] for row in overall] == [("sturdy", "4.58"),
                                            ("&lt;b&gt;wobbly&lt;/b&gt;", "2.17")]
    assert 'data-criterion="overall"' in html
    chart = _chart(html, "chart-rubric-2")
    rows = chart.findall(f"{SVG}g")
    assert [(g.get("data-label"), g.get("data-value")) for g in rows] == [
        ("sturdy", "4.58"), (SNEAKY, "2.17")]
    assert len(chart.findall(f".//{SVG}rect")) == 2
    ticks = [t.text for t in chart.findall(f"{SVG}text") if t.get("class") == "tick"]
    assert ticks == ["1", "2", "3", "4", "5"]


def test_it_shows_the_ratings_beside_the_battles(org: Org) -> None:
    evaluation = _start(org, "both")
    _rate_everything(org, evaluation["rating_project"])
    worker = org.worker()
    while (offer := worker.next(evaluation["project"])) is not None:
        worker.submit(offer["assignment_id"], {
            "choice": "a" if offer["data"]["a"].startswith("sturdy") else "b"})
    html = _page(org, evaluation["id"])
    assert 'id="ratings-only"' not in html and 'id="source-tabs"' in html
    assert [row[1] for row in _table(html, "leaderboard")] == ["sturdy",
                                                               "&lt;b&gt;wobbly&lt;/b&gt;"]
    assert html.index('id="leaderboard"') < html.index('id="rubric-ratings"')
    assert [row[:2] for row in _table(html, "rubric-0")] == [
        ("sturdy", "4.67"), ("&lt;b&gt;wobbly&lt;/b&gt;", "2.00")]
    assert len(_chart(html, "chart-rubric-0").findall(f"{SVG}g")) == 2


def test_a_battle_evaluation_has_no_rubric_section(org: Org) -> None:
    with org.http() as http:
        made = http.post("/v1/evaluations", json={
            "name": "Battles only", "prompts": [{"id": "p", "prompt": "q"}],
            "responses": [{"prompt_id": "p", "model": m, "content": f"{m} says"}
                          for m in ("one", "two")]})
        assert made.status_code == 201, made.text
    evaluation = made.json()
    worker = org.worker()
    while (offer := worker.next(evaluation["project"])) is not None:
        worker.submit(offer["assignment_id"], {"choice": "a"})
    html = _page(org, evaluation["id"])
    assert 'id="leaderboard"' in html and 'id="rubric-ratings"' not in html


def test_it_shows_the_length_controlled_leaderboard(org: Org) -> None:
    with org.http() as http:
        made = http.post("/v1/evaluations", json={
            "name": "Lengths", "prompts": [{"id": f"p{i}", "prompt": "q"} for i in range(4)],
            "responses": [{"prompt_id": f"p{i}", "model": m, "content": m * (i + 2)}
                          for i in range(4) for m in ("short", "longer-model")],
            "human": {"battles_per_prompt": 1}})
        assert made.status_code == 201, made.text
    evaluation = made.json()
    judge_every_battle_longer_wins(org, evaluation["project"])
    plain = _page(org, evaluation["id"])
    assert 'data-style="length"' in plain and 'id="length-controlled"' not in plain
    with signed_in_client(org.url, user_account(org)) as http:
        html = http.get(f"/evaluations/{evaluation['id']}/leaderboard",
                        params={"style": "length"}).text
    assert 'id="length-controlled"' in html and 'id="length-meaning"' in html
    assert 'id="leaderboard"' not in html
    rows = _table(html, "length-controlled")
    assert {row[1] for row in rows} == {"short", "longer-model"}
    assert len(_chart(html, "chart-ratings").findall(f"{SVG}g")) == 2
