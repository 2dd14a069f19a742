"""The beliefs about workers adaptive overlap decides with, from what the platform stores
about them: one-coin accuracies before the first refit, confusion matrices after it
(SQLite, PostgreSQL)."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.accounts import service as accounts
from assay.algorithms.posterior import confusion_posterior
from assay.algorithms.posterior_workers import aligned_counts, worker_confusions
from assay.client import WorkerClient
from assay.clock import utcnow
from assay.db.models import Project, ProjectWorker
from assay.quality import service as quality
from assay.quality.adaptive import (
    CONFUSION_STRENGTH,
    PRIOR_ACCURACY,
    PRIOR_WEIGHT,
    gold_counts,
    worker_accuracies,
)
from assay.quality.refit import MODEL_MIN_ANSWERS, MODEL_MIN_TASKS, refit_project
from tests.support import Org, categorize_project


def _workers(org: Org, n: int) -> list[str]:
    return [org.db.write(lambda s: accounts.create_worker(
        s, f"a-{uuid.uuid4().hex[:10]}@example.com", org.org_id))[0] for _ in range(n)]


def _set(org: Org, project_id: str, worker_id: str, **fields: Any) -> None:
    def write(session: Session) -> None:
        project = session.get_one(Project, project_id)
        standing = quality.standing_for(session, project, worker_id, utcnow())
        for name, value in fields.items():
            setattr(standing, name, value)
    org.db.write(write)


def test_it_counts_a_newcomer_as_an_average_member_of_the_crowd(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "target_confidence": 0.9})
    newcomer, veteran, other = _workers(org, 3)
    chance = 1 / 3
    with org.db.read() as session:
        before = worker_accuracies(session, org.org_id, project["id"], [newcomer], chance)
    assert before.tolist() == pytest.approx([PRIOR_ACCURACY])
    _set(org, project["id"], veteran, model_accuracy=0.9, model_answers=300)
    _set(org, project["id"], other, model_accuracy=0.5, model_answers=100)
    crowd = (0.9 * 300 + 0.5 * 100) / 400
    with org.db.read() as session:
        acc = worker_accuracies(session, org.org_id, project["id"], [newcomer, veteran], chance)
    assert acc[0] == pytest.approx(crowd)
    assert acc[1] == pytest.approx((270 + PRIOR_WEIGHT * crowd) / (300 + PRIOR_WEIGHT))


def test_it_adds_gold_to_the_model_record(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "target_confidence": 0.9})
    (worker,) = _workers(org, 1)
    _set(org, project["id"], worker, gold_correct=2, gold_answers=6,
         model_accuracy=0.8, model_answers=20)
    with org.db.read() as session:
        acc = worker_accuracies(session, org.org_id, project["id"], [worker], 1 / 3)
    crowd = 0.8  # the only model estimate in the project
    assert acc.tolist() == pytest.approx([(2 + 16 + PRIOR_WEIGHT * crowd) / (6 + 20
                                                                            + PRIOR_WEIGHT)])


# The confusion posterior, once the refit has stored the crowd's counts.

LABELS = ["pos", "neg", "neu"]
CROWD = {"labels": LABELS, "tasks": 60, "class_counts": [20.0, 20.0, 20.0],
         "confusion_counts": [[48.0, 6.0, 6.0], [6.0, 48.0, 6.0], [6.0, 6.0, 48.0]]}


def _worker(org: Org) -> tuple[str, WorkerClient]:
    worker_id, token = org.db.write(lambda s: accounts.create_worker(
        s, f"a-{uuid.uuid4().hex[:10]}@example.com", org.org_id))
    return worker_id, WorkerClient(org.url, token)


def _set_crowd(org: Org, project_id: str, crowd: dict[str, Any]) -> None:
    def write(session: Session) -> None:
        session.get_one(Project, project_id).crowd_model = crowd
    org.db.write(write)


def _answer(worker: WorkerClient, project_id: str, label: str) -> None:
    offer = worker.next(project_id)
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": label})


def _task(org: Org, project_id: str) -> dict[str, Any]:
    return next(iter(org.client.iter_tasks(project=project_id)))


def _expected(crowd: dict[str, Any], labels: list[str], answers: list[str],
              counts: list[Any]) -> float:
    """The posterior of the best label, from the stored counts (aligned to ``labels``)."""
    model = worker_confusions(
        np.array(counts, dtype=np.float64),
        aligned_counts(crowd["confusion_counts"], crowd["labels"], labels),
        aligned_counts(crowd["class_counts"], crowd["labels"], labels),
        CONFUSION_STRENGTH, PRIOR_WEIGHT, PRIOR_ACCURACY)
    post = confusion_posterior([labels.index(a) for a in answers], model.confusions,
                               model.prior)
    return round(float(post.max()), 6)


def test_it_keeps_the_one_coin_rule_until_the_refit_stores_the_crowd(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "target_confidence": 0.6})
    org.client.create_task(project["id"], {"text": "x"})
    _, worker = _worker(org)
    _answer(worker, project["id"], "pos")
    result = _task(org, project["id"])["result"]
    assert result["method"] == "one_coin_posterior"
    assert result["confidence"] == pytest.approx(PRIOR_ACCURACY)


def test_it_tells_a_worker_who_always_says_pos_from_a_careful_one(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "target_confidence": 0.9,
                                               "max_overlap": 3})
    _set_crowd(org, project["id"], CROWD)
    (eager_id, eager), (careful_id, careful) = _worker(org), _worker(org)
    always_pos = [[30.0, 0.0, 0.0], [30.0, 0.0, 0.0], [30.0, 0.0, 0.0]]
    diagonal = [[30.0, 0.0, 0.0], [0.0, 30.0, 0.0], [0.0, 0.0, 30.0]]
    # Their one-coin record would trust the eager worker at 0.95: the stored counts don't.
    _set(org, project["id"], eager_id, model_accuracy=0.95, model_answers=90,
         model_confusion={"labels": LABELS, "counts": always_pos})
    _set(org, project["id"], careful_id, model_accuracy=1.0, model_answers=90,
         model_confusion={"labels": LABELS, "counts": diagonal})
    org.client.create_task(project["id"], {"text": "x"})
    _answer(eager, project["id"], "pos")
    task = _task(org, project["id"])
    assert task["status"] == "pending"  # "pos" from them says little
    _answer(careful, project["id"], "pos")
    task = _task(org, project["id"])
    assert task["status"] == "completed" and task["result"]["method"] == "confusion_posterior"
    assert task["result"]["answer"] == {"label": "pos"}
    assert task["result"]["confidence"] == _expected(CROWD, LABELS, ["pos", "pos"],
                                                     [always_pos, diagonal])


def test_it_still_decides_after_labels_were_added_and_reordered(org: Org) -> None:
    project = categorize_project(org, params={"labels": ["pos", "neg"]},
                                 quality={"overlap": 1, "target_confidence": 0.99,
                                          "max_overlap": 2})
    crowd = {"labels": ["pos", "neg"], "tasks": 40, "class_counts": [20.0, 20.0],
             "confusion_counts": [[50.0, 10.0], [10.0, 50.0]]}
    _set_crowd(org, project["id"], crowd)
    old = {"labels": ["pos", "neg"], "counts": [[20.0, 1.0], [1.0, 20.0]]}
    (a_id, a), (_, b) = _worker(org), _worker(org)
    _set(org, project["id"], a_id, model_confusion=old)
    labels = ["neu", "neg", "pos"]
    org.client.update_project(project["id"], params={"labels": labels})
    org.client.create_task(project["id"], {"text": "x"})
    _answer(a, project["id"], "neu")
    _answer(b, project["id"], "neu")
    task = _task(org, project["id"])
    result = task["result"]
    # No stored worker ever said "neu" for "pos" or "neg": two of them saying it settles it.
    assert task["status"] == "completed" and task["review_status"] is None
    assert result["method"] == "confusion_posterior" and result["n_responses"] == 2
    stored = aligned_counts(old["counts"], old["labels"], labels).tolist()
    assert stored == [[0, 0, 0], [0, 20, 1], [0, 1, 20]]
    assert result["confidence"] == _expected(crowd, labels, ["neu", "neu"],
                                             [stored, np.zeros((3, 3))])
    assert result["answer"] == {"label": "neu"}


def test_it_counts_gold_answers_by_class(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "target_confidence": 0.99,
                                               "max_overlap": 1, "gold_rate": 1.0})
    _set_crowd(org, project["id"], CROWD)
    for expected in ("pos", "pos", "neg", "neu"):
        org.client.add_gold(project["id"], {"text": f"check {expected}"}, {"label": expected})
    org.client.create_task(project["id"], {"text": "live"})
    worker_id, worker = _worker(org)
    answers = {"pos": "pos", "neg": "pos", "neu": "neu"}  # they call one "neg" "pos"
    for _ in range(4):
        offer = worker.next(project["id"])
        assert offer is not None and offer["data"]["text"].startswith("check")
        worker.submit(offer["assignment_id"],
                      {"label": answers[offer["data"]["text"].split()[1]]})
    with org.db.read() as session:
        counts = gold_counts(session, org.org_id, project["id"], "label", LABELS, [worker_id])
    assert counts[0].tolist() == [[2, 0, 0], [1, 0, 0], [0, 0, 1]]
    _answer(worker, project["id"], "pos")
    result = _task(org, project["id"])["result"]
    assert result["method"] == "confusion_posterior"
    assert result["confidence"] == _expected(CROWD, LABELS, ["pos"], [counts[0]])
    assert result["confidence"] != _expected(CROWD, LABELS, ["pos"], [np.zeros((3, 3))])


def test_the_refit_stores_confusion_counts_for_the_crowd_and_each_worker(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 3})
    org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}", "truth": i % 3}}
                                            for i in range(MODEL_MIN_ANSWERS)])
    regulars = [_worker(org) for _ in range(2)]
    newcomer_id, newcomer = _worker(org)
    for _, worker in regulars:
        while (offer := worker.next(project["id"])) is not None:
            worker.submit(offer["assignment_id"], {"label": LABELS[offer["data"]["truth"]]})
    for _ in range(3):
        _answer(newcomer, project["id"], "neu")
    org.db.write(partial(refit_project, org_id=org.org_id, project_id=project["id"]))
    with org.db.read() as session:
        crowd = session.get_one(Project, project["id"]).crowd_model
        rows = {w.worker_id: w for w in session.scalars(select(ProjectWorker).where(
            ProjectWorker.project_id == project["id"]))}
    assert crowd is not None and crowd["labels"] == LABELS
    assert crowd["tasks"] == MODEL_MIN_ANSWERS >= MODEL_MIN_TASKS
    assert sum(crowd["class_counts"]) == pytest.approx(MODEL_MIN_ANSWERS, abs=1e-3)
    total = 2 * MODEL_MIN_ANSWERS + 3
    assert np.sum(crowd["confusion_counts"]) == pytest.approx(total, abs=1e-3)
    newcomer_row = rows.get(newcomer_id)  # too few answers to be kept
    assert newcomer_row is None or newcomer_row.model_confusion is None
    for worker_id, _ in regulars:
        row = rows[worker_id]
        assert row.model_confusion is not None and row.model_confusion["labels"] == LABELS
        counts = np.array(row.model_confusion["counts"])
        assert counts.sum() == pytest.approx(MODEL_MIN_ANSWERS, abs=1e-3)
        assert row.model_accuracy == pytest.approx(np.trace(counts) / MODEL_MIN_ANSWERS,
                                                   abs=1e-3)
