"""Suspects are computed once per change (SQLite and PostgreSQL): a second GET /suspects with
nothing changed reuses the first computation; new predictions, a new answer and sending
suspects to review each make the next call compute again, and what it returns is what a
fresh computation returns."""

from __future__ import annotations

from typing import Any

from assay.accounts.service import Requester
from assay.curation import suspects
from assay.db.engine import Database
from tests.support import Org, categorize_project

LABELS = ["pos", "neg", "neu"]


def _probs(best: str) -> dict[str, float]:
    return {label: 0.8 if label == best else 0.1 for label in LABELS}


def _find(db: Database, who: Requester, project: str, **kw: Any) -> list[dict[str, Any]]:
    with db.read() as session:
        return suspects.find_suspects(session, who, project, **kw)


def _fresh(db: Database, who: Requester, project: str) -> list[dict[str, Any]]:
    with db.read() as session:
        return suspects._compute(session, suspects.projects.get_project(session, who, project),
                                 "all")


def test_suspects_are_reused_until_answers_predictions_or_reviews_change(
        org: Org, db: Database) -> None:
    project = categorize_project(org, name="cached suspects",
                                 quality={"overlap": 1, "min_worker_accuracy": 0})["id"]
    ids = [org.client.create_task(project, {"text": f"item {i}"})["id"] for i in range(9)]
    worker = org.worker()
    for _ in range(9):
        offer = worker.next(project)
        assert offer is not None
        i = int(offer["data"]["text"].split()[1])
        worker.submit(offer["assignment_id"], {"label": LABELS[i % 3]})
    who = Requester(org_id=org.org_id)
    path = f"/v1/projects/{project}/predictions"
    with org.http() as http:  # the model disagrees with the labels of items 0 and 1
        assert http.post(path, json={"predictions": [
            {"task_id": t, "probabilities": _probs(LABELS[(i + (i < 2)) % 3])}
            for i, t in enumerate(ids)]}).status_code == 200

    first = _find(db, who, project)
    assert first and first == _fresh(db, who, project) and ids[2] not in {
        s["task"] for s in first}
    before = suspects.computed
    assert _find(db, who, project) == first  # nothing changed: no computation
    assert _find(db, who, project, min_score=0.95) == []  # filtered from the same result
    assert suspects.computed == before

    with org.http() as http:  # new predictions: item 2 becomes a suspect too
        assert http.post(path, json={"predictions": [
            {"task_id": ids[2], "probabilities": _probs(LABELS[0])}]}).status_code == 200
    second = _find(db, who, project)
    assert suspects.computed == before + 1
    assert ids[2] in {s["task"] for s in second} and second == _fresh(db, who, project)

    new = org.client.create_task(project, {"text": "item 9"})["id"]  # a new answer
    offer = worker.next(project)
    assert offer is not None and offer["data"]["text"] == "item 9"
    worker.submit(offer["assignment_id"], {"label": "pos"})
    with org.http() as http:
        assert http.post(path, json={"predictions": [
            {"task_id": new, "probabilities": _probs("neu")}]}).status_code == 200
    third = _find(db, who, project)
    assert suspects.computed == before + 2
    assert new in {s["task"] for s in third} and third == _fresh(db, who, project)
    assert _find(db, who, project) == third and suspects.computed == before + 2

    with org.http() as http:  # sent to review: no longer listed
        assert http.post(f"/v1/projects/{project}/suspects/review",
                         json={"task_ids": [ids[2]]}).status_code == 200
    fourth = _find(db, who, project)
    assert ids[2] not in {s["task"] for s in fourth} and fourth == _fresh(db, who, project)
    assert suspects.computed == before + 3
