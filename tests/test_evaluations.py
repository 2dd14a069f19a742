"""Evaluations through a real server and the model stand-in: replies generated as a job (one
model fails on a prompt, and the evaluation goes on), blind battles served to a worker with
no model identity anywhere the worker can look, a judge model in both orders, and the
leaderboard from people, the judge and both (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from assay.accounts import service as accounts
from assay.client import WorkerClient
from assay.leaderboard_csv import leaderboard_csv
from assay.models.standin import StandIn
from tests.support import Org
from tests.web.support import PASSWORD, Account, signed_in_client


def _model(org: Org, standin: StandIn, name: str, mode: str, **extra: Any) -> dict[str, Any]:
    with org.http() as http:
        made = http.post("/v1/models", json={
            "name": name, "base_url": standin.base_url, "model": f"{mode}#{uuid.uuid4().hex}",
            "params": {"max_retries": 0, "timeout_s": 10}, **extra})
    assert made.status_code == 201, made.text
    return dict(made.json())


def _wait(http: httpx.Client, evaluation_id: str, until: tuple[str, ...]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = http.get(f"/v1/evaluations/{evaluation_id}").json()
        if found["status"] in until:
            return dict(found)
        time.sleep(0.2)
    raise AssertionError(f"evaluation still {found['status']}: {found}")


def _longer(offer: dict[str, Any]) -> str:
    a, b = offer["data"]["a"], offer["data"]["b"]
    return "a" if len(a) > len(b) else "b" if len(b) > len(a) else "tie"


PROMPTS = [
    {"id": "p-math-1", "prompt": "What is 2+2? Say four.", "reference": "four",
     "category": "math"},
    {"id": "p-math-2", "prompt": "Name a prime: seven.", "reference": "7", "category": "math"},
    {"id": "p-chat-1", "prompt": "Greet me.", "category": "chat"},
    {"id": "p-chat-2", "messages": [{"role": "system", "content": "Be brief."},
                                    {"role": "user", "content": "Tell a BAD joke."}],
     "category": "chat"},
]


def test_an_evaluation_runs_from_generation_to_leaderboard(org: Org, other_org: Org,
                                                           model_standin: StandIn,
                                                           tmp_path: Path) -> None:
    short = _model(org, model_standin, "short-model", "pad-0")
    middle = _model(org, model_standin, "middle-model", "pad-4+refuseon-BAD",
                    prices={"input": "2.00", "output": "10.00", "currency": "USD"})
    long = _model(org, model_standin, "long-model", "pad-9")
    judge = _model(org, model_standin, "judge-model", "judge-longer")
    secrets = [m[k] for m in (short, middle, long, judge) for k in ("id", "name", "model")]
    with org.http() as http:
        created = http.post("/v1/evaluations", json={
            "name": "short-model vs long-model", "prompts": PROMPTS,
            "models": [short["id"], middle["id"], long["id"]],
            "human": {"battles_per_prompt": 3, "overlap": 1},
            "auto": {"scorers": ["contains", "exact_match",
                                 {"judge": judge["id"], "rubric": "Prefer detail."}]}})
        assert created.status_code == 201, created.text
        evaluation = created.json()
        assert evaluation["status"] == "generating" and evaluation["project"].startswith("prj_")
        found = _wait(http, evaluation["id"], ("collecting", "done"))
        # middle-model refused the prompt with "BAD": that reply and its two battles are left
        # out, reported; everything else went on.
        assert found["progress"]["replies"] == {"total": 12, "done": 12, "failed": 1}
        assert found["left_out"]["failed_replies"] == 1 and found["left_out"]["battles"] == 2
        assert found["left_out"]["replies"] == [
            {"prompt_id": "p-chat-2", "model": "middle-model", "error": "model_error"}]
        assert found["progress"]["battles"] == 10 and found["progress"]["judged"] == 10
        assert found["progress"]["human"] == {"tasks": 10, "completed": 0}
        # 12 generation calls and the judge's 2 per battle, recorded under the evaluation;
        # only middle-model has prices: its cost is the evaluation's.
        assert found["cost"]["calls"] == 32 and found["cost"]["errors"] == 1
        assert found["cost"]["currency"] == "USD" and float(found["cost"]["cost"]) > 0

        judged = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard",
                          params={"source": "judge", "bootstrap": 200}).json()
        assert [m["model"] for m in judged["models"]] == ["long-model", "middle-model",
                                                          "short-model"]
        assert judged["judgments"] == 10 and judged["agreement"] is None
        biases = judged["judge_biases"]
        assert biases["longer_reply_win_rate"] == 1.0 and biases["position_flip_rate"] == 0.0
        assert biases["self_preference"] is None
        assert judged["style_control"] is None
        styled = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard",
                          params={"source": "judge", "bootstrap": 0, "style": "length"}).json()
        # Every verdict went to the longer reply: length explains the battles.
        assert styled["style_control"]["coefficient"] > 0
        assert set(styled["style_control"]["ratings"]) == {"long-model", "middle-model",
                                                           "short-model"}
        assert styled["style_control"]["ci"] is None
        bounded = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard", params={
            "source": "judge", "bootstrap": 100, "style": "length"}).json()["style_control"]
        assert bounded["bootstrap"] == 100 and set(bounded["ci"]) == set(bounded["ratings"])
        assert all(lo <= bounded["ratings"][name] <= hi
                   for name, (lo, hi) in bounded["ci"].items())
        low, high = bounded["coefficient_ci"]
        assert low <= bounded["coefficient"] <= high
        top = judged["models"][0]
        assert top["rank"] == 1 and top["ci"][0] <= top["rating"] <= top["ci"][1]
        # The replies echo the prompt: "four" is in them, "7" is not (the prompt says seven).
        assert top["scores"] == {"contains": 0.5, "exact_match": 0.0}
        assert http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard",
                        params={"source": "human"}).json()["error"]["code"] == "no_judgments"

        # The worker's side: every offer, standing figure and page is free of model
        # identities, sides fall both ways, and the worker picks the longer reply.
        email = f"w-{uuid.uuid4().hex[:8]}@example.com"
        worker_id, token = org.db.write(lambda s: accounts.create_worker(
            s, email, org.org_id, PASSWORD))
        worker = WorkerClient(org.url, token)
        seen: list[str] = []
        sides: set[str] = set()
        while (offer := worker.next(evaluation["project"])) is not None:
            seen.append(repr(offer))
            sides.add(_longer(offer))
            worker.submit(offer["assignment_id"], {"choice": _longer(offer)})
        seen.append(repr(worker.me(evaluation["project"])))
        assert len(seen) == 11 and sides == {"a", "b"}
        seen += worker_pages(org, Account(email, PASSWORD, worker_id), evaluation["project"])
        leaked = [s for s in secrets if any(s in text for text in seen)]
        assert leaked == []

        done = _wait(http, evaluation["id"], ("done",))
        assert done["progress"]["human"] == {"tasks": 10, "completed": 10}
        board = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard",
                         params={"bootstrap": 300}).json()
        assert board["judgments"] == 20 and board["source"] == "all"
        assert [m["model"] for m in board["models"]] == ["long-model", "middle-model",
                                                         "short-model"]
        assert board["agreement"]["battles"] == 10 and board["agreement"]["accuracy"] == 1.0
        assert board["agreement"]["kappa"] == 1.0
        assert board["categories"] == ["chat", "math"]
        rates = board["win_rates"]
        assert rates["models"][0] == "long-model" and rates["rate"][0][2] == 1.0
        # The battles export is what `assay leaderboard` reads, and gives the same ratings.
        exported = http.get(f"/v1/evaluations/{evaluation['id']}/battles")
        assert exported.headers["content-type"].startswith("text/csv")
        path = tmp_path / "battles.csv"
        path.write_text(exported.text)
        assert len(exported.text.splitlines()) == 21
        out = tmp_path / "board.csv"
        leaderboard_csv(str(path), 0, None, str(out))
        offline = {r["model"]: float(r["rating"]) for r in csv.DictReader(out.open())}
        online = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard",
                          params={"bootstrap": 0}).json()["models"]
        assert {m["model"]: m["rating"] for m in online} == pytest.approx(offline, abs=0.01)
        math = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard",
                        params={"category": "math", "source": "human", "bootstrap": 0}).json()
        assert math["judgments"] == 6 and math["models"][0]["ci"] is None
        assert http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard",
                        params={"category": "none"}).status_code == 409
        listed = http.get("/v1/evaluations").json()["docs"]
        assert evaluation["id"] in [e["id"] for e in listed]
    with other_org.http() as http:
        assert http.get(f"/v1/evaluations/{evaluation['id']}").status_code == 404
        assert http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard").status_code == 404
        assert evaluation["id"] not in [e["id"] for e in http.get("/v1/evaluations").json()[
            "docs"]]


def worker_pages(org: Org, account: Account, project_id: str) -> list[str]:
    """The worker's pages (the work list and the project's labeling page) as HTML."""
    with signed_in_client(org.url, account) as http:
        pages = [http.get("/work"), http.get(f"/work/{project_id}")]
    assert [p.status_code for p in pages] == [200, 200]
    assert "Compare two replies" in pages[0].text
    return [p.text for p in pages]


def test_uploaded_responses_and_a_disconnected_graph(org: Org, model_standin: StandIn) -> None:
    """Four uploaded contestants; each prompt has replies of only two, so the battles with a
    missing reply are left out and the two pairs never meet: the leaderboard is a 409."""
    responses = [{"prompt_id": "x", "model": m, "content": f"{m} says x"} for m in ("A", "B")]
    responses += [{"prompt_id": "y", "model": m, "content": f"{m} says y"} for m in ("C", "D")]
    with org.http() as http:
        created = http.post("/v1/evaluations", json={
            "name": "uploaded", "prompts": [{"id": "x", "prompt": "x?"},
                                            {"id": "y", "prompt": "y?"}],
            "responses": responses, "human": {"battles_per_prompt": 6}})
        assert created.status_code == 201, created.text
        evaluation = created.json()
        assert evaluation["status"] == "collecting"
        assert evaluation["left_out"]["failed_replies"] == 4
        assert evaluation["left_out"]["battles"] == 10
        assert evaluation["cost"]["calls"] == 0
        worker = org.worker()
        while (offer := worker.next(evaluation["project"])) is not None:
            worker.submit(offer["assignment_id"], {"choice": "both_bad"})
        refused = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard")
        assert refused.status_code == 409
        error = refused.json()["error"]
        assert error["code"] == "comparisons_disconnected"
        assert sorted(map(sorted, error["details"]["groups"])) == [["A", "B"], ["C", "D"]]


def test_bad_evaluations_are_refused_naming_the_field(org: Org, other_org: Org,
                                                      model_standin: StandIn) -> None:
    foreign = _model(other_org, model_standin, "theirs", "echo")
    two = [{"prompt_id": "0", "model": m, "content": "hi"} for m in ("A", "B")]
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"name": "e", "prompts": []}, 422, "prompts"),
        ({"name": "e", "prompts": [{"prompt": "p", "messages": [
            {"role": "user", "content": "p"}]}], "responses": two}, 422, "prompts[0]"),
        ({"name": "e", "prompts": [{"id": "a", "prompt": "p"}, {"id": "a", "prompt": "q"}],
          "responses": two}, 422, "prompts[1].id"),
        ({"name": "e", "prompts": [{"prompt": "p"}],
          "responses": [{"prompt_id": "9", "model": "A", "content": "x"}]},
         422, "responses[0].prompt_id"),
        ({"name": "e", "prompts": [{"prompt": "p"}], "responses": two[:1]}, 422, "models"),
        ({"name": "e", "prompts": [{"prompt": "p"}], "responses": two,
          "auto": {"scorers": ["bleu"]}}, 422, "auto.scorers[0]"),
        ({"name": "e", "prompts": [{"prompt": "p"}], "models": [foreign["id"]],
          "responses": two}, 404, ""),
    ]
    with org.http() as http:
        for body, status, field in cases:
            answer = http.post("/v1/evaluations", json=body)
            assert answer.status_code == status, (body, answer.text)
            if field:
                fields = [f["field"] for f in answer.json()["error"]["details"]["fields"]]
                assert any(f.startswith(field) for f in fields), (field, fields)
        before = http.get("/v1/projects").json()["docs"]
        assert not any(p["name"].startswith("Compare two replies (") and p["id"] not in {
            e["project"] for e in http.get("/v1/evaluations").json()["docs"]} for p in before)


def test_a_judge_that_prefers_the_first_position_is_caught(org: Org,
                                                          model_standin: StandIn) -> None:
    """A judge that always says A flips on every battle when the sides swap: every verdict
    is reconciled to a tie, the flip rate is 100%, and as a contestant (an uploaded model
    named like it) it shows a self-preference figure."""
    judge = _model(org, model_standin, "first-judge", "judge-first")
    responses = [{"prompt_id": p, "model": m, "content": f"{m} on {p}"}
                 for p in ("x", "y", "z") for m in ("first-judge", "other", "third")]
    with org.http() as http:
        created = http.post("/v1/evaluations", json={
            "name": "judged", "prompts": [{"id": p, "prompt": f"{p}?"} for p in "xyz"],
            "responses": responses, "human": None,
            "auto": {"battles_per_prompt": 3, "scorers": [{"judge": judge["id"]}]}})
        assert created.status_code == 201, created.text
        evaluation = created.json()
        assert evaluation["project"] is None and evaluation["status"] == "judging"
        done = _wait(http, evaluation["id"], ("done",))
        assert done["progress"]["judged"] == 9 and done["cost"]["calls"] == 18
        board = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard",
                         params={"source": "judge", "bootstrap": 100}).json()
        assert {(m["ties"], m["wins"]) for m in board["models"]} == {(6, 0)}
        biases = board["judge_biases"]
        assert biases["position_flip_rate"] == 1.0 and biases["longer_reply_win_rate"] is None
        assert biases["self_preference"] == {"battles": 0, "judge_win_rate": None,
                                             "human_win_rate": None}
        rows = http.get(f"/v1/evaluations/{evaluation['id']}/battles",
                        params={"format": "jsonl"}).text.splitlines()
        assert len(rows) == 9 and all('"winner": "tie"' in r for r in rows)
