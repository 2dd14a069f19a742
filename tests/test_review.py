"""The review queue: unsettled and sampled tasks wait for a reviewer, who accepts or fixes
the result and rejects answers; the worker sees the verdict and the rejected answer's pay is
reversed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assay.client import Conflict, NotFound
from tests.support import Org, categorize_project


def _review(org: Org, project_id: str, worker_id: str) -> None:
    assert org.client.add_reviewer(project_id, worker_id)["role"] == "reviewer"


def test_sampled_tasks_are_reviewed_fixed_and_answers_rejected(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 2, "review_rate": 1.0},
                                 pay={"per_task": "0.10", "currency": "USD"})
    task = org.client.create_task(project["id"], {"text": "mixed feelings"})
    a, b, reviewer = org.worker(), org.worker(), org.worker()
    for worker, label in ((a, "pos"), (b, "neg")):
        offer = worker.next(project["id"])
        assert offer is not None
        worker.submit(offer["assignment_id"], {"label": label})
    done = org.client.get_task(task["id"])
    assert done["status"] == "completed" and done["review_status"] == "pending"

    with pytest.raises(NotFound):  # not a reviewer yet
        reviewer.next_review(project["id"])
    _review(org, project["id"], reviewer.me()["worker_id"])
    item = reviewer.next_review(project["id"])
    assert item is not None
    assert item["task_id"] == task["id"] and len(item["answers"]) == 2
    assert all(set(x) == {"answer_id", "answer"} for x in item["answers"])  # no worker ids
    wrong = next(x["answer_id"] for x in item["answers"] if x["answer"] == {"label": "pos"})
    decided = reviewer.review(task["id"], "fix", {"label": "neu"}, "it is neutral", [wrong])
    assert decided["review_status"] == "fixed"
    after = org.client.get_task(task["id"])
    assert after["result"]["answer"] == {"label": "neu"} and after["result"]["method"] == "review"
    with pytest.raises(Conflict):  # decided once
        reviewer.review(task["id"], "accept")
    assert reviewer.next_review(project["id"]) is None

    [seen] = a.feedback()
    assert seen["verdict"] == "rejected" and seen["comment"] == "it is neutral"
    assert Decimal(a.me(project["id"])["earned"]) == 0  # the rejected answer is not paid
    assert b.feedback()[0]["verdict"] == "accepted"
    assert Decimal(b.me(project["id"])["earned"]) == Decimal("0.10")


def test_a_reviewer_never_reviews_their_own_task(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "review_rate": 1.0})
    org.client.create_task(project["id"], {"text": "x"})
    worker = org.worker()
    _review(org, project["id"], worker.me()["worker_id"])
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    assert worker.next_review(project["id"]) is None
