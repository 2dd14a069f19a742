"""Gold, training, worker standing and pausing, through the real API (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from assay.client import Forbidden, NotFound, WorkerClient
from tests.support import Org, categorize_project

OFFER_KEYS = {"assignment_id", "project", "kind", "instructions", "params", "data",
              "expires_at"}


def _project(org: Org, **quality: Any) -> dict[str, Any]:
    return categorize_project(org, quality={"overlap": 1, **quality})


def test_gold_is_hidden_from_lists_counts_and_exports(org: Org) -> None:
    project = _project(org)
    gold = org.client.add_gold(project["id"], {"text": "great!"}, {"label": "pos"})
    assert gold["id"].startswith("tsk_") and gold["answer"] == {"label": "pos"}
    org.client.create_task(project["id"], {"text": "live"})
    assert [g["id"] for g in org.client.iter_gold(project["id"])] == [gold["id"]]
    assert [t["data"] for t in org.client.iter_tasks(project=project["id"])] == [
        {"text": "live"}]
    assert org.client.get_project(project["id"])["counts"]["pending"] == 1
    assert len(list(org.client.iter_export(project["id"]))) == 1
    with pytest.raises(NotFound):
        org.client.get_task(gold["id"])


def test_gold_answers_are_validated_by_kind(org: Org) -> None:
    project = _project(org)
    from assay.client import ValidationFailed

    with pytest.raises(ValidationFailed) as excinfo:
        org.client.add_gold(project["id"], {"text": "x"}, {"label": "maybe"})
    assert excinfo.value.details["fields"][0]["field"] == "answer.label"


def _answer_all(worker: WorkerClient, project_id: str, label: str,
                seen: list[dict[str, Any]]) -> None:
    while (offer := worker.next(project_id)) is not None:
        seen.append(offer)
        seen.append(worker.submit(offer["assignment_id"], {"label": label}))


def test_a_worker_cannot_tell_gold_from_live_and_never_sees_its_answer(org: Org) -> None:
    project = _project(org, gold_rate=0.5)
    for i in range(6):
        org.client.add_gold(project["id"], {"text": f"check {i}"}, {"label": "neu"})
    org.client.create_tasks(project["id"], [{"data": {"text": f"live {i}"}}
                                            for i in range(12)])
    worker = org.worker()
    seen: list[dict[str, Any]] = []
    _answer_all(worker, project["id"], "pos", seen)
    offers = [o for o in seen if "kind" in o]
    golds = [o for o in offers if o["data"]["text"].startswith("check")]
    lives = [o for o in offers if o["data"]["text"].startswith("live")]
    assert len(lives) == 12 and golds, "gold is mixed into live work"
    for offer in offers:
        assert set(offer) == OFFER_KEYS
        assert offer["assignment_id"].startswith("asg_")
    for receipt in (o for o in seen if "kind" not in o):
        assert set(receipt) == {"assignment_id", "status"}
    visible = json.dumps(seen) + json.dumps(worker.me(project["id"])) + json.dumps(worker.me())
    # The gold answer, or any verdict on it, appears nowhere a worker can read.
    assert '"label": "neu"' not in visible
    for word in ('"answer"', '"expected"', '"correct"', '"feedback"', '"gold'):
        assert word not in visible
    me = worker.me(project["id"])
    assert me["accuracy"] == 0.0 and me["status"] == "active"  # fewer than 5 checks: no pause


def test_a_spammer_is_paused_and_their_tasks_reopen(org: Org) -> None:
    project = _project(org, min_worker_accuracy=0.7)
    for i in range(8):
        org.client.add_gold(project["id"], {"text": f"check {i}"}, {"label": "pos"})
    org.client.create_tasks(project["id"], [{"data": {"text": f"live {i}"}}
                                            for i in range(30)])
    honest, spammer = org.worker(), org.worker()
    completed_by_spammer = []
    # Live work first (no gold yet), then every offer is a check until the gold runs out.
    for _ in range(3):
        offer = spammer.next(project["id"])
        assert offer is not None
        spammer.submit(offer["assignment_id"], {"label": "neg"})
        completed_by_spammer.append(offer["data"]["text"])
    org.client.update_project(project["id"], quality={"gold_rate": 1.0})
    with pytest.raises(Forbidden) as excinfo:
        for _ in range(60):
            offer = spammer.next(project["id"])
            assert offer is not None
            spammer.submit(offer["assignment_id"], {"label": "neg"})
            if offer["data"]["text"].startswith("live"):
                completed_by_spammer.append(offer["data"]["text"])
    assert excinfo.value.code == "worker_paused"
    with pytest.raises(Forbidden):
        spammer.next(project["id"])
    assert spammer.me(project["id"])["status"] == "paused"
    assert completed_by_spammer
    # Their answers stopped counting: the tasks they completed are pending again.
    tasks = {t["data"]["text"]: t for t in org.client.iter_tasks(project=project["id"],
                                                                  include_responses=True)}
    for text in completed_by_spammer:
        assert tasks[text]["status"] == "pending" and tasks[text]["result"] is None
        assert tasks[text]["responses"] == []
    # An honest worker picks the reopened tasks up and is not paused.
    done = []
    while (offer := honest.next(project["id"])) is not None:
        label = "pos"
        honest.submit(offer["assignment_id"], {"label": label})
        done.append(offer["data"]["text"])
    assert set(completed_by_spammer) <= set(done)
    assert org.client.get_project(project["id"])["counts"]["completed"] == 30
    report = {w["worker_id"]: w for w in org.client.iter_workers(project["id"])}
    spam_row = next(w for w in report.values() if w["status"] == "paused")
    assert spam_row["pause_reason"] == "spam" and spam_row["gold_accuracy"] == 0.0
    assert spam_row["answers"] == len(completed_by_spammer)
    honest_row = next(w for w in report.values() if w["status"] == "active")
    assert honest_row["gold_accuracy"] in (None, 1.0)
    assert set(honest_row) == {"worker_id", "answers", "gold_answers", "gold_accuracy",
                               "review_answers", "review_accuracy", "estimated_accuracy",
                               "status", "pause_reason", "earned", "flags"}


def test_the_course_comes_first_and_gates_live_work(org: Org) -> None:
    project = _project(org, min_worker_accuracy=0.5)
    org.client.add_training(project["id"], {"text": "lesson 1"}, {"label": "pos"},
                            "Praise is positive.")
    org.client.add_training(project["id"], {"text": "lesson 2"}, {"label": "neg"},
                            "Complaints are negative.")
    org.client.create_task(project["id"], {"text": "live"})
    assert len(list(org.client.iter_training(project["id"]))) == 2

    good = org.worker()
    first = good.next(project["id"])
    assert first is not None and first["data"]["text"].startswith("lesson")
    receipt = good.submit(first["assignment_id"], {"label": "pos"})
    feedback = receipt["feedback"]
    assert feedback["explanation"] and "correct" in feedback and "expected" in feedback
    second = good.next(project["id"])
    assert second is not None and second["data"]["text"].startswith("lesson")
    good.submit(second["assignment_id"], {"label": "neg"})
    live = good.next(project["id"])
    assert live is not None and live["data"] == {"text": "live"}

    bad = org.worker()
    for _ in range(2):
        lesson = bad.next(project["id"])
        assert lesson is not None and lesson["data"]["text"].startswith("lesson")
        wrong = "neu"
        bad.submit(lesson["assignment_id"], {"label": wrong})
    with pytest.raises(Forbidden) as excinfo:
        bad.next(project["id"])
    assert excinfo.value.code == "worker_paused"
    standing = {w["worker_id"]: w for w in org.client.iter_workers(project["id"])}
    assert any(w["status"] == "paused" and w["pause_reason"] == "low_accuracy"
               for w in standing.values())


def _adaptive_project(org: Org) -> dict[str, Any]:
    return _project(org, target_confidence=0.95, max_overlap=5)


def _answers(org: Org, project_id: str, labels: list[str]) -> list[dict[str, Any]]:
    """One fresh worker per label; returns the task after each answer."""
    states = []
    for label in labels:
        worker = org.worker()
        offer = worker.next(project_id)
        assert offer is not None, f"no work offered before answer {len(states) + 1}"
        worker.submit(offer["assignment_id"], {"label": label})
        states.append(next(iter(org.client.iter_tasks(project=project_id))))
    return states


def test_agreement_completes_a_task_as_soon_as_it_is_confident(org: Org) -> None:
    project = _adaptive_project(org)
    org.client.create_task(project["id"], {"text": "clear case"})
    states = _answers(org, project["id"], ["pos", "pos", "pos"])
    assert [s["status"] for s in states] == ["pending", "pending", "completed"]
    result = states[-1]["result"]
    assert result["answer"] == {"label": "pos"} and result["n_responses"] == 3
    assert result["method"] == "one_coin_posterior" and result["confidence"] >= 0.95
    assert states[-1]["review_status"] is None
    assert org.worker().next(project["id"]) is None  # settled: nobody else is asked


def test_disagreement_asks_more_workers_then_flags_for_review(org: Org) -> None:
    project = _adaptive_project(org)
    org.client.create_task(project["id"], {"text": "hard case"})
    states = _answers(org, project["id"], ["pos", "neg", "neu", "pos", "neg"])
    assert [s["status"] for s in states[:4]] == ["pending"] * 4
    final = states[-1]
    assert final["status"] == "completed" and final["review_status"] == "pending"
    assert final["result"]["n_responses"] == 5 and final["result"]["confidence"] < 0.95
    assert org.worker().next(project["id"]) is None  # max_overlap reached


def test_the_quality_report(org: Org) -> None:
    project = _project(org, overlap=3, gold_rate=1.0)
    for i in range(4):
        org.client.add_gold(project["id"], {"text": f"check {i}"}, {"label": "pos"})
    org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}", "truth": i % 3}}
                                            for i in range(12)])
    labels = ["pos", "neg", "neu"]
    workers = [org.worker() for _ in range(4)]
    for round_ in range(40):
        worker = workers[round_ % 4]
        offer = worker.next(project["id"])
        if offer is None:
            continue
        data = offer["data"]
        label = labels[data["truth"]] if "truth" in data else "pos"
        if round_ % 4 == 3:
            label = "neu"  # one careless worker
        worker.submit(offer["assignment_id"], {"label": label})
    report = org.client.quality(project["id"])
    assert report["n_answers"] > 0 and report["n_tasks"] > 0
    assert set(report["agreement"]) == {"percent", "fleiss_kappa", "krippendorff_alpha"}
    assert 0 <= report["agreement"]["percent"] <= 1
    assert report["model"]["method"] == "dawid_skene"
    assert {w["worker_id"] for w in report["workers"]} <= {
        w["worker_id"] for w in org.client.iter_workers(project["id"])}
    for w in report["workers"]:
        assert len(w["confusion"]) == 3 and all(abs(sum(r) - 1) < 1e-3 for r in w["confusion"])
        assert 0 <= w["estimated_accuracy"] <= 1
    assert [c["label"] for c in report["classes"]] == labels
    for row in report["calibration"]:
        assert row["tasks"] > 0 and 0 <= row["accuracy"] <= 1
    assert sum(row["tasks"] for row in report["calibration"]) >= 1
    other = org.client.create_project(name="free text", kind="text")
    assert org.client.quality(other["id"])["agreement"] is None


def test_the_background_refit_pauses_a_spammer_without_gold(org: Org) -> None:
    project = _project(org, overlap=3, min_worker_accuracy=0.6)
    labels = ["pos", "neg", "neu"]
    org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}", "truth": i % 3}}
                                            for i in range(60)])
    honest = [org.worker() for _ in range(4)]
    spammer = org.worker()
    paused = False
    for _ in range(60):
        for worker in [*honest, spammer]:
            if worker is spammer and paused:
                continue
            try:
                offer = worker.next(project["id"])
                if offer is None:
                    continue
                truth = labels[offer["data"]["truth"]]
                worker.submit(offer["assignment_id"],
                              {"label": "neu" if worker is spammer else truth})
            except Forbidden as exc:
                assert worker is spammer and exc.code == "worker_paused"
                paused = True
    deadline = time.monotonic() + 20
    while not paused and time.monotonic() < deadline:
        paused = spammer.me(project["id"])["status"] == "paused"
        time.sleep(0.2)
    assert paused, "the refit should pause a worker at chance level"
    report = {w["worker_id"]: w for w in org.client.iter_workers(project["id"])}
    rows = [w for w in report.values() if w["status"] == "paused"]
    assert len(rows) == 1 and rows[0]["pause_reason"] in ("spam", "low_accuracy")
    assert all(w["status"] == "active" for w in report.values() if w is not rows[0])
