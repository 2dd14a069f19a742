"""A chat project's post-training exports end to end, over real HTTP on SQLite and
PostgreSQL, with replies from the model stand-in: two workers share the first turn (one
ties two replies; the turn's pairs follow the Bradley-Terry fit that gives the task's result
and confidence), one of them goes on to a turn of their own and rewrites its reply; every
format's rows follow the rules of docs/exports.md, Parquet holds the same rows, and no
model name appears anywhere."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pyarrow.parquet as pq

from assay.algorithms.rankings import bradley_terry_rankings, pair_probabilities
from assay.exports.formats import FORMAT_NAMES
from assay.models.standin import StandIn, reply_for
from tests.support import Org
from tests.test_posttraining_export import _without_nulls

NAMES = ("gamma-hidden-model-1", "delta-hidden-model-2", "eps-hidden-model-3")
ASKED = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "name a colour"}]


def _rows(org: Org, project: str, fmt: str) -> list[dict[str, Any]]:
    with org.http() as http:
        lines = http.get(f"/v1/projects/{project}/export", params={"format": fmt})
        table = http.get(f"/v1/projects/{project}/export",
                         params={"format": fmt, "file": "parquet"})
    assert lines.status_code == 200 and table.status_code == 200, (lines.text, table.text)
    for name in NAMES:
        assert name not in lines.text
    rows = [json.loads(line) for line in lines.text.splitlines() if line.strip()]
    parquet = pq.read_table(io.BytesIO(table.content)).to_pylist()
    assert [_without_nulls(r) for r in parquet] == rows, fmt
    return rows


def _say(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def test_a_finished_chat_project_exports_every_format(org: Org,
                                                      model_standin: StandIn) -> None:
    with org.http() as http:
        models = [http.post("/v1/models", json={
            "name": name, "base_url": model_standin.base_url, "model": "echo",
            "params": {"seed": n}}).json()["id"] for n, name in enumerate(NAMES, 1)]
        project = http.post("/v1/projects", json={
            "name": "posttraining-chat", "kind": "chat",
            "params": {"models": models, "candidates": 3, "max_turns": 2},
            "quality": {"overlap": 2, "max_overlap": 2, "target_confidence": 0,
                        "review_rate": 0, "gold_rate": 0}}).json()["id"]
        task = http.post("/v1/tasks", json={"project": project,
                                            "data": {"messages": ASKED}}).json()["id"]
    one, two = reply_for(ASKED, 1), reply_for(ASKED, 2)
    three = reply_for(ASKED, 3)

    # Worker A: 1 first, 2 and 3 tied; then a turn of their own, ranked and rewritten.
    a = org.worker()
    offer = a.next(project)
    assert offer is not None
    turn0 = a.generate(offer["assignment_id"])
    ids = {c["content"]: c["id"] for c in turn0["candidates"]}
    first_ranking = [[ids[one]], [ids[two], ids[three]]]
    turn1 = a.generate(offer["assignment_id"], prompt="And another?", ranking=first_ranking)
    asked1 = [*ASKED, {"role": "assistant", "content": one},
              {"role": "user", "content": "And another?"}]
    later = {c["content"]: c["id"] for c in turn1["candidates"]}
    r1, r2, r3 = reply_for(asked1, 1), reply_for(asked1, 2), reply_for(asked1, 3)
    a.submit(offer["assignment_id"], {"turns": [
        {"candidates": list(ids.values()), "ranking": first_ranking},
        {"prompt": "And another?", "candidates": list(later.values()),
         "ranking": [[later[r2]], [later[r1]], [later[r3]]], "ideal": "Green."}]})
    # Worker B: the same first turn, 1 then 3 then 2, and stops there.
    b = org.worker()
    offer = b.next(project)
    assert offer is not None
    assert {c["id"] for c in b.generate(offer["assignment_id"])["candidates"]} == set(
        ids.values())
    b.submit(offer["assignment_id"], {"turns": [
        {"candidates": list(ids.values()),
         "ranking": [[ids[one]], [ids[three]], [ids[two]]]}]})

    # The shared turn follows the Bradley-Terry fit of A's and B's rankings: 1 over 2, 1 over
    # 3, 3 over 2 (A's tie counts half). A's own turn: the rewrite over each reply, then
    # 2 > 1 > 3.
    # Within a turn, rows follow the stored order of the candidates (by id): compare sets.
    dpo = _rows(org, project, "dpo")
    pairs = [(r["chosen"][0]["content"], r["rejected"][0]["content"]) for r in dpo]
    assert [r["prompt"] for r in dpo] == [ASKED] * 3 + [asked1] * 6
    assert set(pairs[:3]) == {(one, two), (one, three), (three, two)}
    assert set(pairs[3:6]) == {("Green.", r1), ("Green.", r2), ("Green.", r3)}
    assert set(pairs[6:]) == {(r2, r1), (r2, r3), (r1, r3)}
    assert "score_chosen" not in dpo[0]  # no rubric, no scores
    # B's conversation ended at the shared turn, A's at their own.
    assert _rows(org, project, "sft") == [{"messages": [*ASKED, *_say(one)]},
                                          {"messages": [*asked1, *_say("Green.")]}]
    weights = [[m.get("weight") for m in r["messages"]] for r in _rows(org, project, "openai")]
    assert weights == [[None, None, 1], [None, None, 1, None, 1]]
    kto = _rows(org, project, "kto")
    assert sorted((r["completion"][0]["content"], r["label"]) for r in kto) == sorted([
        (one, True), (two, False), ("Green.", True), (r2, True), (r3, False)])
    # The shared turn's margins are the fitted log-odds; the task's result is the same fit:
    # its first reply over its second by its confidence.
    fit = bradley_terry_rankings([[0, 1, 1], [0, 2, 1]])  # one, two, three
    logit = [[math.log(p / (1 - p)) for p in row] for row in pair_probabilities(fit)]
    margins = {(r["chosen"][0]["content"], r["rejected"][0]["content"]): r["margin"]
               for r in _rows(org, project, "reward")}
    assert [margins[p] for p in ((one, two), (one, three), (three, two))] == [
        round(logit[0][1], 6), round(logit[0][2], 6), round(logit[2][1], 6)]
    with org.http() as http:
        result = http.get(f"/v1/tasks/{task}").json()["result"]
    reply_of = {name: reply_for(ASKED, n) for n, name in enumerate(NAMES, 1)}
    order = [reply_of[name] for name in result["answer"]["turns"][0]["order"]]
    assert order == [one, three, two]
    confidence = result["confidence"]
    assert margins[(one, three)] == round(math.log(confidence / (1 - confidence)), 6)
    openai_dpo = _rows(org, project, "openai_dpo")
    assert [r["input"]["messages"] for r in openai_dpo] == [r["prompt"] for r in dpo]
    assert set(FORMAT_NAMES) == {"sft", "openai", "dpo", "kto", "openai_dpo", "reward"}
