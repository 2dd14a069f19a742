"""``POST /v1/projects/{id}/generate`` against the stand-in model over real HTTP, SQLite and
PostgreSQL: new prompts grown from seeds become tasks, near-duplicates (of the seeds, of
each other, of the project's earlier prompts) are left out with their reason, replies are
asked when wanted, every call is recorded, a refusing model adds nothing, and the project
counts what people accepted, edited and rejected."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from assay.algorithms.self_instruct import rouge_l
from assay.algorithms.text import levenshtein_similarity
from assay.models.standin import StandIn
from assay.synthetic.figures import check_of
from tests.support import Org, categorize_project

SEEDS = ["Explain why the sky is blue to a child.",
         "Write a haiku about autumn rain.",
         "List three ways to save energy at home."]


def _model(http: httpx.Client, standin: StandIn, name: str, mode: str) -> str:
    made = http.post("/v1/models", json={"name": name, "base_url": standin.base_url,
                                         "model": mode, "params": {"timeout_s": 10}})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _prompts(org: Org, project_id: str) -> list[dict[str, Any]]:
    return list(org.client.iter_tasks(project=project_id))


def test_generated_prompts_become_tasks_without_near_duplicates(
        org: Org, model_standin: StandIn) -> None:
    with org.http() as http:
        model = _model(http, model_standin, "writer", "list")
        project = http.post("/v1/projects", json={"name": "synthetic", "kind": "text"}).json()
        url = f"/v1/projects/{project['id']}/generate"
        first = http.post(url, json={"model": model, "seeds": SEEDS, "count": 6, "seed": 1})
        assert first.status_code == 201, first.text
        doc = first.json()
        assert doc["created"] == 6 and doc["requests"] >= 2
        # The stand-in's fifth item is a near-copy of its first: always left out.
        assert doc["left_out_counts"]["duplicate"] >= doc["requests"]
        assert all(d["reason"] == "duplicate" and rouge_l(d["prompt"], d["similar"]) >= 0.7
                   for d in doc["left_out"])
        second = http.post(url, json={"model": model, "seeds": SEEDS, "count": 5, "seed": 2,
                                      "variations": ["deepen"]}).json()
        usage = http.get(f"/v1/models/{model}/usage",
                         params={"project": project["id"]}).json()
    tasks = _prompts(org, project["id"])
    assert len(tasks) == 6 + second["created"]
    prompts = [t["data"]["prompt"] for t in tasks]
    assert all(t["metadata"]["synthetic"]["method"] == "self_instruct" for t in tasks)
    assert {t["metadata"]["synthetic"]["variation"] for t in tasks} <= {None, "deepen"}
    # Nothing kept repeats a seed or another kept prompt, across the two calls too.
    for i, prompt in enumerate(prompts):
        assert all(rouge_l(prompt, seed) < 0.7 for seed in SEEDS)
        assert all(rouge_l(prompt, other) < 0.7 for other in prompts[i + 1:]), prompt
    assert usage["calls"] == doc["model_calls"] + second["model_calls"]


def test_replies_and_the_kinds_that_take_them(org: Org, model_standin: StandIn) -> None:
    with org.http() as http:
        model = _model(http, model_standin, "answerer", "list")
        rate = http.post("/v1/projects", json={"name": "rated", "kind": "rate"}).json()
        url = f"/v1/projects/{rate['id']}/generate"
        refused = http.post(url, json={"model": model, "seeds": SEEDS, "count": 2})
        assert refused.status_code == 422
        assert refused.json()["error"]["details"]["fields"][0]["field"] == "replies"
        made = http.post(url, json={"model": model, "seeds": SEEDS, "count": 2,
                                    "replies": True, "seed": 3})
        assert made.status_code == 201, made.text
        assert made.json()["model_calls"] == made.json()["requests"] + 2
        categorize = categorize_project(org)
        wrong_kind = http.post(f"/v1/projects/{categorize['id']}/generate",
                               json={"model": model, "seeds": SEEDS})
        assert wrong_kind.status_code == 422
        assert wrong_kind.json()["error"]["details"]["fields"][0]["field"] == "project"
        blank = http.post(url, json={"model": model, "seeds": ["  "]})
        assert blank.status_code == 422
    tasks = _prompts(org, rate["id"])
    assert len(tasks) == 2
    assert all(t["data"]["completion"] and t["data"]["prompt"] for t in tasks)


def test_a_failing_or_foreign_model_adds_nothing(org: Org, other_org: Org,
                                                 model_standin: StandIn) -> None:
    with org.http() as http:
        refusing = _model(http, model_standin, "refuser", "refuse")
        project = http.post("/v1/projects", json={"name": "empty", "kind": "text"}).json()
        url = f"/v1/projects/{project['id']}/generate"
        failed = http.post(url, json={"model": refusing, "seeds": SEEDS, "count": 3})
        assert failed.status_code == 502 and failed.json()["error"]["code"] == "model_error"
        assert "retry-after" not in failed.headers
    with other_org.http() as http:
        theirs = _model(http, model_standin, "theirs", "list")
        foreign_project = http.post(url, json={"model": theirs, "seeds": SEEDS})
        assert foreign_project.status_code == 404
    with org.http() as http:
        foreign_model = http.post(url, json={"model": theirs, "seeds": SEEDS})
        assert foreign_model.status_code == 404
    assert _prompts(org, project["id"]) == []


def test_the_project_counts_what_people_accepted_edited_and_rejected(
        org: Org, model_standin: StandIn) -> None:
    with org.http() as http:
        model = _model(http, model_standin, "drafter", "list")
        project = http.post("/v1/projects", json={"name": "checked", "kind": "text",
                                                  "quality": {"overlap": 1}}).json()
        made = org.client.generate_tasks(project["id"], model, SEEDS, count=3, replies=True,
                                         seed=4)
        assert made["created"] == 3
        http.post("/v1/tasks", json={"project": project["id"], "data": {"prompt": "mine"}})
        empty = http.get(f"/v1/projects/{project['id']}/synthetic").json()
    assert empty == {"project": project["id"], "generated": 3, "checks": 0, "accepted": 0,
                     "edited": 0, "rejected": 0, "accept_rate": None,
                     "mean_edit_similarity": None}
    worker = org.worker()
    edits = []
    while (offer := worker.next(project["id"])) is not None:
        reply = offer["data"].get("reply")
        if reply is None:  # the task added by hand is not counted
            worker.submit(offer["assignment_id"], {"text": "anything"})
        elif not edits:
            edits.append(None)
            worker.submit(offer["assignment_id"], {"text": f"  {reply} "})
        else:
            edited = reply[: len(reply) // 2] + " (checked)"
            edits.append(levenshtein_similarity(reply, edited))
            worker.submit(offer["assignment_id"], {"text": edited})
    doc = org.client.synthetic_figures(project["id"])  # the SDK reads the same figures
    similarities = [e for e in edits if e is not None]
    assert doc["generated"] == 3 and doc["checks"] == 3
    assert (doc["accepted"], doc["edited"], doc["rejected"]) == (1, 2, 0)
    assert doc["accept_rate"] == round(1 / 3, 6)
    assert doc["mean_edit_similarity"] == pytest.approx(sum(similarities) / 2, abs=1e-6)


def test_checks_of_chat_and_rate_tasks() -> None:
    rubric = {"rubric": [{"id": "ok", "min": 1, "max": 5}]}
    data = {"messages": [{"role": "user", "content": "q"}],
            "candidates": [{"model": "m", "content": "Paris is the capital."}]}
    turn = {"candidates": ["cnd_1"], "ranking": [["cnd_1"]]}
    assert check_of("chat", rubric, data, {"turns": [turn]}) == ("accepted", None)
    verdict, similarity = check_of("chat", rubric, data, {"turns": [
        {**turn, "ideal": "Paris is the capital city."}]})
    assert verdict == "edited" and similarity == pytest.approx(
        levenshtein_similarity("Paris is the capital.", "Paris is the capital city."))
    assert check_of("chat", rubric, data, {"turns": [
        {**turn, "scores": {"cnd_1": {"ok": 2}}}]}) == ("rejected", None)
    rate = {"min": 1, "max": 5, "criteria": []}
    assert check_of("rate", rate, {}, {"rating": 4}) == ("accepted", None)
    assert check_of("rate", rate, {}, {"rating": 2}) == ("rejected", None)
    assert check_of("rate", rate, {}, {"rating": 3}) == (None, None)
    assert check_of("text", {}, {"prompt": "p"}, {"text": "t"}) == (None, None)
