"""The review queue: unsettled and sampled tasks wait for a reviewer, who accepts or fixes
the result and rejects answers; the worker sees the verdict and the rejected answer's pay is
reversed."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

from assay.client import Conflict, Forbidden, NotFound, WorkerClient
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
    # Answers by id, with the server's integrity flags, never by worker.
    assert all(set(x) == {"answer_id", "answer", "flags"} for x in item["answers"])
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


def _answered_project(org: Org, n_tasks: int, labels: list[str], **quality: Any
                      ) -> tuple[dict[str, Any], list[WorkerClient]]:
    """A project with review_rate 1 and one answer per task from a fresh worker each."""
    project = categorize_project(org, quality={"overlap": 1, "review_rate": 1.0, **quality},
                                 pay={"per_task": "0.10", "currency": "USD"})
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(n_tasks)])
    workers = []
    for label in labels:
        worker = org.worker()
        offer = worker.next(project["id"])
        assert offer is not None
        worker.submit(offer["assignment_id"], {"label": label})
        workers.append(worker)
    return project, workers


def test_the_review_lease_gives_each_task_to_one_reviewer(org: Org) -> None:
    project, _ = _answered_project(org, 3, ["pos", "neg", "pos"])
    reviewers = [org.worker() for _ in range(6)]
    for r in reviewers:
        _review(org, project["id"], r.me()["worker_id"])
    items: list[dict[str, Any] | None] = [None] * 6
    barrier = threading.Barrier(6)

    def take(i: int) -> None:
        barrier.wait()
        items[i] = reviewers[i].next_review(project["id"])

    threads = [threading.Thread(target=take, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    taken = [(i, item["task_id"]) for i, item in enumerate(items) if item is not None]
    assert sorted(t for _, t in taken) == sorted({t for _, t in taken})  # no task twice
    assert len(taken) == 3  # every waiting task went to someone
    holder, task_id = taken[0]
    again = reviewers[holder].next_review(project["id"])
    assert again is not None and again["task_id"] == task_id  # the lease resumes
    other = next(i for i in range(6) if i != holder)
    with pytest.raises(Conflict) as held:
        reviewers[other].review(task_id, "accept")
    assert held.value.code == "review_held"
    assert reviewers[holder].review(task_id, "accept")["review_status"] == "accepted"


def test_review_outcomes_feed_reliability_and_pause(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "review_rate": 1.0,
                                               "min_worker_accuracy": 0.7},
                                 pay={"per_task": "0.10", "currency": "USD"})
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(12)])
    sloppy, careful, reviewer = org.worker(), org.worker(), org.worker()
    _review(org, project["id"], reviewer.me()["worker_id"])
    for worker, label, n in ((sloppy, "neg", 6), (careful, "pos", 6)):
        for _ in range(n):
            offer = worker.next(project["id"])
            assert offer is not None
            worker.submit(offer["assignment_id"], {"label": label})
    reviewed = 0
    while (item := reviewer.next_review(project["id"])) is not None:
        [answer] = item["answers"]
        if answer["answer"] == {"label": "neg"}:
            reviewer.review(item["task_id"], "fix", {"label": "pos"}, "this one is positive",
                            [answer["answer_id"]])
        else:
            reviewer.review(item["task_id"], "accept")
        reviewed += 1
    # Five rejections are enough evidence to pause (P(accuracy >= 0.7) < 5%); the sixth
    # answer then stops counting and its task leaves the review queue, reopened.
    assert reviewed == 11
    bad = sloppy.standing(project["id"])
    assert bad["status"] == "paused" and bad["pause_reason"] in ("low_accuracy", "spam")
    assert bad["accuracy"]["review_answers"] == 5 and bad["accuracy"]["review_correct"] == 0
    assert [e["kind"] for e in bad["history"]] == ["paused"]
    assert len(bad["evidence"]["reviews"]) == bad["accuracy"]["review_answers"]
    assert all(r["verdict"] == "rejected" and r["comment"] == "this one is positive"
               for r in bad["evidence"]["reviews"])
    assert bad["can_appeal"] is True
    good = careful.standing(project["id"])
    assert good["status"] == "active"
    assert good["accuracy"]["review_answers"] == good["accuracy"]["review_correct"] == 6
    assert Decimal(good["earned"]) == Decimal("0.60")
    # The reviewed tasks stay settled: the pause does not reopen what a reviewer decided.
    tasks = list(org.client.iter_tasks(project=project["id"]))
    assert sorted(t["status"] for t in tasks) == ["completed"] * 11 + ["pending"]
    workers = {w["worker_id"]: w for w in org.client.iter_workers(project["id"])}
    row = workers[sloppy.me()["worker_id"]]
    assert row["status"] == "paused" and row["review_answers"] == 5
    assert row["review_accuracy"] == 0.0 and row["estimated_accuracy"] < 0.2
    assert workers[careful.me()["worker_id"]]["review_accuracy"] == 1.0


def test_second_level_checks_reviews_and_keeps_the_reviewers_record(org: Org) -> None:
    project, _ = _answered_project(org, 6, ["pos"] * 6, second_review_rate=1.0,
                                         min_worker_accuracy=0.7)
    first, senior = org.worker(), org.worker()
    _review(org, project["id"], first.me()["worker_id"])
    assert org.client.add_reviewer(project["id"], senior.me()["worker_id"], 2)["level"] == 2
    with pytest.raises(Forbidden):  # level 1 cannot check reviews
        first.next_review(project["id"], level=2)
    assert senior.next_review(project["id"], level=2) is None  # nothing decided yet
    decided = []
    while (item := first.next_review(project["id"])) is not None:
        decided.append(first.review(item["task_id"], "accept", comment="looks right"))
    assert len(decided) == 6
    check = senior.next_review(project["id"], level=2)
    assert check is not None and check["level"] == 2
    assert check["review"]["verdict"] == "accepted" and check["review"]["comment"] == "looks right"
    assert all(a["verdict"] == "accepted" for a in check["answers"])
    with pytest.raises(Forbidden):  # nobody checks their own review
        first.review(check["task_id"], "accept", level=2)
    out = senior.review(check["task_id"], "fix", {"label": "neu"}, "neutral, not positive",
                        level=2)
    assert out["checked"] == "overturned" and out["review_status"] == "fixed"
    task = org.client.get_task(check["task_id"])
    assert task["result"]["answer"] == {"label": "neu"} and task["result"]["method"] == "review"
    [seen] = [f for f in first.feedback() if f["type"] == "review"]
    assert seen["verdict"] == "overturned" and seen["comment"] == "neutral, not positive"
    # Overturn every other review: the first reviewer loses the role after enough evidence.
    while (item := senior.next_review(project["id"], level=2)) is not None:
        senior.review(item["task_id"], "fix", {"label": "neg"}, level=2)
    record = first.standing(project["id"])
    assert record["reviewer"] == {"active": False, "reviews_checked": 6, "reviews_upheld": 0}
    assert [e["kind"] for e in record["history"]] == ["reviewer_removed"]
    with pytest.raises(NotFound):
        first.next_review(project["id"])
