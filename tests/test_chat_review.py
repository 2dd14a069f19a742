"""A reviewer fixes a chat task, over real HTTP on SQLite and PostgreSQL: the review item
shows the conversation and the workers' rankings, the reviewer reads the candidates' texts
(never a model name, only while holding the task), a fix naming a candidate the task never
had is refused with the task still theirs, and the corrected ranking and ideal reply become
the task's result and the post-training rows."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from assay.client import NotFound, ValidationFailed
from assay.models.standin import StandIn, reply_for
from tests.support import Org

NAMES = ("review-hidden-model-1", "review-hidden-model-2")
ASKED = [{"role": "user", "content": "name a fruit"}]


def chat_project_in_review(org: Org, standin: StandIn, tag: str) -> tuple[str, str]:
    """A chat project whose every finished task waits for review, and one task two workers
    ranked in opposite orders."""
    with org.http() as http:
        models = [http.post("/v1/models", json={
            "name": f"{name}-{tag}", "base_url": standin.base_url, "model": "echo",
            "params": {"seed": n}}).json()["id"] for n, name in enumerate(NAMES, 1)]
        project = http.post("/v1/projects", json={
            "name": "chat-review", "kind": "chat",
            "params": {"models": models, "candidates": 2, "max_turns": 1},
            "quality": {"overlap": 2, "max_overlap": 2, "target_confidence": 0,
                        "review_rate": 1.0, "gold_rate": 0}}).json()["id"]
        task = http.post("/v1/tasks", json={"project": project,
                                            "data": {"messages": ASKED}}).json()["id"]
    ranks = iter([lambda one, two: [[one], [two]], lambda one, two: [[two], [one]]])
    for _ in range(2):
        worker = org.worker()
        offer = worker.next(project)
        assert offer is not None
        ids = {c["content"]: c["id"] for c in worker.generate(offer["assignment_id"])[
            "candidates"]}
        ranking = next(ranks)(ids[reply_for(ASKED, 1)], ids[reply_for(ASKED, 2)])
        worker.submit(offer["assignment_id"], {"turns": [
            {"candidates": list(ids.values()), "ranking": ranking}]})
    return project, task


def _rows(org: Org, project: str, fmt: str) -> list[dict[str, Any]]:
    with org.http() as http:
        text = http.get(f"/v1/projects/{project}/export", params={"format": fmt}).text
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_reviewer_corrects_the_ranking_and_the_ideal_reply(org: Org,
                                                             model_standin: StandIn) -> None:
    project, task = chat_project_in_review(org, model_standin, "fix")
    assert org.client.get_task(task)["review_status"] == "pending"
    reviewer, other = org.worker(), org.worker()
    for who in (reviewer, other):
        org.client.add_reviewer(project, who.me()["worker_id"])
    with pytest.raises(NotFound):  # nobody holds it yet
        reviewer.review_candidates(task)
    item = reviewer.next_review(project)
    assert item is not None and item["task_id"] == task and item["kind"] == "chat"
    assert "candidates" not in item["data"]
    rankings = [a["answer"]["turns"][0]["ranking"] for a in item["answers"]]
    assert len(rankings) == 2 and rankings[0] == rankings[1][::-1]

    shown = reviewer.review_candidates(task)
    for name in NAMES:
        assert name not in json.dumps(shown) and name not in json.dumps(item)
    by_text = {c["content"]: cid for cid, c in shown["candidates"].items()}
    one, two = by_text[reply_for(ASKED, 1)], by_text[reply_for(ASKED, 2)]
    assert all(c["messages"] == ASKED and c["turn"] == 0
               for c in shown["candidates"].values())
    with pytest.raises(NotFound):  # another reviewer does not hold it
        other.review_candidates(task)

    with pytest.raises(ValidationFailed):  # a candidate the task never had
        reviewer.review(task, "fix", {"turns": [
            {"candidates": [one, "cnd_made_up"], "ranking": [[one], ["cnd_made_up"]]}]})
    assert org.client.get_task(task)["review_status"] == "pending"
    again = reviewer.next_review(project)  # still theirs
    assert again is not None and again["task_id"] == task

    fix = {"turns": [{"candidates": [one, two], "ranking": [[two], [one]],
                      "ideal": "A ripe mango."}]}
    decided = reviewer.review(task, "fix", fix)
    assert decided["review_status"] == "fixed"
    result = org.client.get_task(task)["result"]
    assert result["method"] == "review" and result["confidence"] == 1.0
    assert result["answer"]["turns"][0]["ranking"] == [[two], [one]]
    assert result["answer"]["turns"][0]["ideal"] == "A ripe mango."

    # The exports follow the fix: the ideal first, then two over one (the workers split).
    text = {one: reply_for(ASKED, 1), two: reply_for(ASKED, 2)}
    pairs = [(r["chosen"][0]["content"], r["rejected"][0]["content"])
             for r in _rows(org, project, "dpo")]
    assert len(pairs) == 3 and pairs[2] == (text[two], text[one])
    assert set(pairs[:2]) == {("A ripe mango.", text[one]), ("A ripe mango.", text[two])}
    assert _rows(org, project, "sft") == [
        {"messages": [*ASKED, {"role": "assistant", "content": "A ripe mango."}]}]
    with pytest.raises(NotFound):  # decided: nothing held any more
        reviewer.review_candidates(task)


def test_a_worker_who_reviews_nothing_reads_no_candidates(org: Org,
                                                         model_standin: StandIn) -> None:
    _, task = chat_project_in_review(org, model_standin, "stranger")
    stranger = org.worker()
    with httpx.Client(base_url=org.url) as http:
        anonymous = http.get(f"/v1/work/review/{task}/candidates")
    assert anonymous.status_code == 401
    with pytest.raises(NotFound):
        stranger.review_candidates(task)


def test_accepting_a_chat_result_scores_each_ranking_against_it(
        org: Org, model_standin: StandIn) -> None:
    from sqlalchemy import select

    from assay.db.models import ProjectWorker

    project, task = chat_project_in_review(org, model_standin, "accept")
    reviewer = org.worker()
    org.client.add_reviewer(project, reviewer.me()["worker_id"])
    assert reviewer.next_review(project) is not None
    assert reviewer.review(task, "accept")["review_status"] == "accepted"
    # The result (by model names) orders the two replies one way: the worker who ranked them
    # so is right (tau 1), the one who ranked them the other way is not.
    with org.db.read() as session:
        checks = sorted((w.review_answers, w.review_correct) for w in session.scalars(
            select(ProjectWorker).where(ProjectWorker.project_id == project)))
    assert checks == [(1, 0), (1, 1)]
