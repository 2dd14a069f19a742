"""Anchoring, measured (issue 14): a project shows suggestions on half of its tasks with a
prediction and holds them back on the other half (``curation.suggestions_holdout``); simulated
workers copy a shown suggestion 70% of the time. Over real HTTP on SQLite and PostgreSQL:
each assignment records what it was suggested, the quality report's two groups hold exactly
the answers the workers gave with and without a visible suggestion, answers to reviewed
tasks are judged against the review, and the figure shows the planted anchoring."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from assay.client import WorkerClient
from tests.support import Org, categorize_project
from tests.web.support import signed_in_client, user_account

LABELS = ["pos", "neg", "neu"]
TASKS = 150
COPY = 0.7
REVIEWED = 30


def _truth(text: str) -> str:
    return LABELS[int(text[1:]) % 3]


def _answer(offer: dict[str, Any], rng: random.Random) -> str:
    """Copy a shown suggestion with probability COPY; else right 90% of the time."""
    suggestion = offer.get("suggestion")
    if suggestion is not None and rng.random() < COPY:
        return str(suggestion["label"])
    truth = _truth(offer["data"]["text"])
    return truth if rng.random() < 0.9 else rng.choice([x for x in LABELS if x != truth])


def _work(workers: list[WorkerClient], project: str, rng: random.Random) -> tuple[int, int]:
    """Every worker answers until the queue is empty; returns the answers given with a
    visible suggestion and without one."""
    shown = hidden = 0
    for worker in workers:
        offer = worker.next(project)
        while offer is not None:
            assert offer.get("suggestion") is None or set(offer["suggestion"]) == {
                "label", "probability"}
            shown += offer.get("suggestion") is not None
            hidden += offer.get("suggestion") is None
            offer = worker.submit(offer["assignment_id"], {"label": _answer(offer, rng)},
                                  next=True)["next"]
    return shown, hidden


def test_the_quality_report_shows_planted_anchoring(org: Org) -> None:
    rng = random.Random(14)
    project = categorize_project(
        org, name="anchoring",
        quality={"overlap": 3, "min_worker_accuracy": 0, "review_rate": 1.0},
        curation={"suggestions": True, "suggestions_holdout": 0.5})["id"]
    org.client.create_tasks(project, [{"data": {"text": f"t{i}"}} for i in range(TASKS)])
    tasks = sorted(org.client.iter_tasks(project=project), key=lambda t: t["data"]["text"])
    assert len(tasks) == TASKS
    predictions = []
    for task in tasks:  # a model right 60% of the time
        truth = _truth(task["data"]["text"])
        said = truth if rng.random() < 0.6 else rng.choice([x for x in LABELS if x != truth])
        predictions.append({"task_id": task["id"], "probabilities": {
            label: 0.8 if label == said else 0.1 for label in LABELS}})
    with org.http() as http:
        assert http.post(f"/v1/projects/{project}/predictions",
                         json={"predictions": predictions}).status_code == 200
        before = http.get(f"/v1/projects/{project}/quality").json()
    assert before["suggestions"] is None  # nothing answered yet
    shown, hidden = _work([org.worker() for _ in range(4)], project, rng)
    assert shown + hidden == 3 * TASKS and shown > 0 and hidden > 0

    reviewer = org.worker()
    org.client.add_reviewer(project, reviewer.me()["worker_id"])
    for _ in range(REVIEWED):
        item = reviewer.next_review(project)
        assert item is not None
        reviewer.review(item["task_id"], "fix", {"label": _truth(item["data"]["text"])})

    with org.http() as http:
        report = http.get(f"/v1/projects/{project}/quality").json()
    figures = report["suggestions"]
    assert figures["holdout"] == 0.5 and figures["level"] == 0.95
    assert figures["shown"]["answers"] == shown and figures["held_out"]["answers"] == hidden
    assert figures["shown"]["judged_by_review"] + figures["held_out"]["judged_by_review"] \
        == 3 * REVIEWED
    for group in ("shown", "held_out"):
        g = figures[group]
        assert 0 < g["effective_answers"] <= g["answers"]
        low, high = g["agreement_ci"]
        assert low <= g["agreement"] <= high
        assert g["judged"] >= g["judged_by_review"] and g["correct"] <= g["judged"]
    difference = figures["difference"]
    assert difference["agreement"] == pytest.approx(
        figures["shown"]["agreement"] - figures["held_out"]["agreement"], abs=2e-4)
    # The planted anchoring shows: more agreement with the suggestion where it is shown,
    # beyond the interval, and about the planted share of copied answers (0 without it).
    assert difference["agreement_ci"][0] > 0
    assert difference["copy_rate"] > COPY / 2
    # The console's quality page shows the same figures.
    with signed_in_client(org.url, user_account(org, "viewer")) as page:
        html = page.get(f"/projects/{project}/quality").text
    for group in ("shown", "held_out"):
        row = re.search(rf'<tr data-group="{group}">(.*?)</tr>', html, re.S)
        assert row and f'data-field="answers">{figures[group]["answers"]}<' in row.group(1)
        assert f'{figures[group]["agreement"] * 100:.0f}%' in row.group(1)
    assert f'data-field="agreement">{difference["agreement"]:.3f}<' in html


def test_without_a_holdout_every_prediction_is_shown(org: Org) -> None:
    project = categorize_project(org, name="no holdout", quality={"overlap": 1},
                                 curation={"suggestions": True})["id"]
    org.client.create_tasks(project, [{"data": {"text": f"t{i}"}} for i in range(6)])
    tasks = sorted(org.client.iter_tasks(project=project), key=lambda t: t["data"]["text"])
    with org.http() as http:
        assert http.post(f"/v1/projects/{project}/predictions", json={"predictions": [
            {"task_id": t["id"], "probabilities": {"neg": 1.0}} for t in tasks[:4]]}
        ).status_code == 200
        assert http.patch(f"/v1/projects/{project}", json={
            "curation": {"suggestions_holdout": 1.5}}).status_code == 422
    shown, hidden = _work([org.worker()], project, random.Random(1))
    assert (shown, hidden) == (4, 2)
    with org.http() as http:
        report = http.get(f"/v1/projects/{project}/quality").json()
    figures = report["suggestions"]
    assert figures["shown"]["answers"] == 4 and figures["held_out"]["answers"] == 0
    assert figures["held_out"]["agreement"] is None and figures["difference"]["agreement"] \
        is None
    # Every task has one answer: agreement is undefined, not an error.
    assert report["agreement"] == {"percent": None, "fleiss_kappa": None,
                                   "krippendorff_alpha": None}
