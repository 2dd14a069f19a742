"""Rubric rating as an evaluation's human side (``human.mode`` rating or both): each reply
becomes a ``rate`` task served by the normal queue with nothing naming its model, and the
leaderboard's ``ratings`` section gives each model's mean score per criterion with a 95%
interval (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from tests.support import Org

RUBRIC = {"min": 1, "max": 5, "criteria": [{"id": "helpful", "weight": 3},
                                           {"id": "concise", "description": "short"}]}
# The worker's scores, by the reply's text: what a rater would give each reply.
SCORES = {"sturdy reply 0": (5, 4), "sturdy reply 1": (4, 4), "sturdy reply 2": (5, 5),
          "wobbly reply 0": (2, 3), "wobbly reply 1": (1, 3), "wobbly reply 2": (3, 2)}


def _start(org: Org, mode: str) -> dict[str, Any]:
    with org.http() as http:
        created = http.post("/v1/evaluations", json={
            "name": f"secret-sturdy vs secret-wobbly ({mode})",
            "prompts": [{"id": f"p{i}", "prompt": f"question {i}",
                         "category": "even" if i % 2 == 0 else "odd"} for i in range(3)],
            "responses": [{"prompt_id": f"p{i}", "model": f"secret-{m}",
                           "content": f"{m} reply {i}"}
                          for i in range(3) for m in ("sturdy", "wobbly")],
            "human": {"mode": mode, "rating": RUBRIC}})
    assert created.status_code == 201, created.text
    return dict(created.json())


def _rate_everything(org: Org, project: str) -> list[str]:
    worker = org.worker()
    seen = []
    while (offer := worker.next(project)) is not None:
        seen.append(repr(offer))
        helpful, concise = SCORES[offer["data"]["reply"]]
        assert offer["data"]["prompt"].startswith("question ")
        worker.submit(offer["assignment_id"], {"scores": {"helpful": helpful,
                                                          "concise": concise}})
    return seen


def test_rating_and_battles_side_by_side(org: Org) -> None:
    evaluation = _start(org, "both")
    assert evaluation["status"] == "collecting" and evaluation["project"] is not None
    assert evaluation["progress"]["rating"] == {"tasks": 6, "completed": 0}
    assert evaluation["progress"]["human"] == {"tasks": 3, "completed": 0}
    seen = _rate_everything(org, evaluation["rating_project"])
    assert len(seen) == 6 and not any("secret" in text for text in seen)
    worker = org.worker()
    while (offer := worker.next(evaluation["project"])) is not None:
        worker.submit(offer["assignment_id"], {
            "choice": "a" if offer["data"]["a"].startswith("sturdy") else "b"})
    with org.http() as http:
        found = http.get(f"/v1/evaluations/{evaluation['id']}").json()
        assert found["status"] == "done"
        assert found["progress"]["rating"] == {"tasks": 6, "completed": 6}
        board = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard",
                         params={"bootstrap": 0}).json()
        assert [m["model"] for m in board["models"]] == ["secret-sturdy", "secret-wobbly"]
        ratings = board["ratings"]
        assert ratings["scale"] == [1, 5] and ratings["level"] == 0.95
        assert ratings["criteria"] == ["helpful", "concise", "overall"]
        assert [m["model"] for m in ratings["models"]] == ["secret-sturdy", "secret-wobbly"]
        sturdy, wobbly = ratings["models"]
        assert sturdy["replies"] == 3 and sturdy["scores"]["helpful"]["n"] == 3
        assert sturdy["scores"]["helpful"]["mean"] == round(14 / 3, 4)
        # overall per reply: (3 * helpful + concise) / 4 -> 4.75, 4.0, 5.0 -> mean 4.5833
        assert sturdy["scores"]["overall"]["mean"] == round(13.75 / 3, 4)
        low, high = wobbly["scores"]["helpful"]["ci"]
        # 2, 1, 3: mean 2, s 1, t(0.975, 2) 4.3027 / sqrt(3) = 2.4842: clipped to the scale
        assert (low, high) == (1.0, round(2 + 2.48414, 4))
        assert wobbly["scores"]["concise"]["mean"] == round(8 / 3, 4)
        odd = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard",
                       params={"bootstrap": 0, "category": "odd"}).json()["ratings"]
        assert odd["rated"] == 2 and odd["models"][0]["scores"]["helpful"] == {
            "mean": 4.0, "n": 1, "ci": None}


def test_rating_alone(org: Org) -> None:
    evaluation = _start(org, "rating")
    assert evaluation["project"] is None and evaluation["rating_project"] is not None
    assert evaluation["progress"]["battles"] == 0 and evaluation["left_out"]["battles"] == 0
    with org.http() as http:
        early = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard")
        assert early.status_code == 409 and early.json()["error"]["code"] == "no_judgments"
        _rate_everything(org, evaluation["rating_project"])
        assert http.get(f"/v1/evaluations/{evaluation['id']}").json()["status"] == "done"
        board = http.get(f"/v1/evaluations/{evaluation['id']}/leaderboard").json()
        assert board["judgments"] == 0 and {m["rating"] for m in board["models"]} == {None}
        assert board["ratings"]["models"][0]["model"] == "secret-sturdy"
        assert board["ratings"]["models"][1]["scores"]["overall"]["n"] == 3


def test_a_bad_rubric_is_refused(org: Org) -> None:
    with org.http() as http:
        refused = http.post("/v1/evaluations", json={
            "name": "x", "prompts": [{"prompt": "p"}],
            "responses": [{"prompt_id": "0", "model": m, "content": m} for m in "ab"],
            "human": {"mode": "rating", "rating": {"min": 5, "max": 1}}})
    assert refused.status_code == 422
