"""Spans, boxes and text tasks complete with their kind's consensus and its confidence;
adaptive overlap asks for more answers until it is confident; a review checks the answers
against it by the same partial-credit matching as gold."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Org

TEXT = "Acme hired Bob Smith in Paris."
IMAGE = {"image_url": "https://cdn.example.com/street.jpg", "width": 640, "height": 480}


def _project(org: Org, kind: str, params: dict[str, Any] | None,
             **quality: Any) -> dict[str, Any]:
    return org.client.create_project(name=f"{kind} consensus", kind=kind, params=params,
                                     quality={"overlap": 2, **quality})


def _answer(org: Org, project: dict[str, Any], *answers: dict[str, Any]) -> list[str]:
    """One fresh worker per answer, in order; their worker ids."""
    ids = []
    for answer in answers:
        worker = org.worker()
        offer = worker.next(project["id"])
        assert offer is not None
        worker.submit(offer["assignment_id"], answer)
        ids.append(worker.me()["worker_id"])
    return ids


def _spans(*spans: tuple[int, int, str]) -> dict[str, Any]:
    return {"spans": [{"start": s, "end": e, "label": label} for s, e, label in spans]}


def _boxes(*boxes: tuple[float, float, float, float, str]) -> dict[str, Any]:
    return {"boxes": [{"x": x, "y": y, "w": w, "h": h, "label": label}
                      for x, y, w, h, label in boxes]}


def test_two_identical_span_answers_complete_with_that_answer(org: Org) -> None:
    project = _project(org, "spans", {"labels": ["ORG", "PER", "LOC"]})
    task = org.client.create_task(project["id"], {"text": TEXT})
    # "Bob" and "Smith" as two touching spans stay two spans.
    answer = _spans((0, 4, "ORG"), (11, 14, "PER"), (14, 20, "PER"), (24, 29, "LOC"))
    _answer(org, project, answer, answer)
    done = org.client.get_task(task["id"])
    assert done["status"] == "completed"
    assert done["result"] == {"answer": answer, "confidence": 1.0,
                              "method": "span_majority", "n_responses": 2}


def test_spans_take_the_characters_most_answers_marked(org: Org) -> None:
    project = _project(org, "spans", {"labels": ["ORG", "PER"]}, overlap=3)
    task = org.client.create_task(project["id"], {"text": TEXT})
    _answer(org, project, _spans((0, 4, "ORG"), (11, 20, "PER")),
            _spans((0, 4, "ORG"), (11, 14, "PER")), _spans((11, 20, "PER")))
    result = org.client.get_task(task["id"])["result"]
    assert result["answer"] == _spans((0, 4, "ORG"), (11, 20, "PER"))
    assert result["method"] == "span_majority"
    assert 0.5 < result["confidence"] < 1.0


def test_boxes_complete_with_the_median_of_the_matching_boxes(org: Org) -> None:
    project = _project(org, "boxes", {"labels": ["car", "person"]})
    task = org.client.create_task(project["id"], IMAGE)
    _answer(org, project, _boxes((100, 100, 50, 40, "car"), (300, 200, 20, 60, "person")),
            _boxes((102, 100, 50, 42, "car")))
    result = org.client.get_task(task["id"])["result"]
    # The person only one of two answers drew is left out; the car is the median box.
    assert result["answer"] == _boxes((101, 100, 50, 41, "car"))
    assert result["method"] == "box_median"
    assert result["confidence"] == pytest.approx((2 / 3 + 1.0) / 2)


def test_text_completes_with_the_answer_closest_to_the_others(org: Org) -> None:
    project = _project(org, "text", None, overlap=3)
    task = org.client.create_task(project["id"], {"image_url": "https://x.io/cat.jpg"})
    _answer(org, project, {"text": "A grey cat asleep."}, {"text": "a grey cat  asleep"},
            {"text": "A dog."})
    result = org.client.get_task(task["id"])["result"]
    assert result["answer"] == {"text": "A grey cat asleep."}
    assert result["method"] == "text_medoid"
    assert 0.4 < result["confidence"] < 1.0


def test_adaptive_overlap_settles_agreeing_spans_at_overlap(org: Org) -> None:
    project = _project(org, "spans", {"labels": ["ORG", "PER"]},
                       max_overlap=3, target_confidence=0.9)
    task = org.client.create_task(project["id"], {"text": TEXT})
    _answer(org, project, _spans((0, 4, "ORG")), _spans((0, 4, "ORG")))
    done = org.client.get_task(task["id"])
    assert done["status"] == "completed" and done["review_status"] is None
    assert done["result"]["confidence"] == 1.0


def test_adaptive_overlap_asks_for_more_boxes_then_a_reviewer(org: Org) -> None:
    project = _project(org, "boxes", {"labels": ["car"]}, max_overlap=3,
                       target_confidence=0.9)
    task = org.client.create_task(project["id"], IMAGE)
    car, elsewhere = _boxes((100, 100, 50, 40, "car")), _boxes((400, 300, 50, 40, "car"))
    _answer(org, project, car, elsewhere)
    assert org.client.get_task(task["id"])["status"] == "pending"  # one more worker
    _answer(org, project, car)
    done = org.client.get_task(task["id"])
    assert done["status"] == "completed" and done["review_status"] == "pending"
    assert done["result"]["answer"] == car and done["result"]["n_responses"] == 3
    assert done["result"]["confidence"] == pytest.approx(2 / 3)


def test_one_text_answer_never_meets_the_target_alone(org: Org) -> None:
    project = _project(org, "text", None, overlap=1, max_overlap=2, target_confidence=0.8)
    task = org.client.create_task(project["id"], {"n": 1})
    _answer(org, project, {"text": "A grey cat."})
    assert org.client.get_task(task["id"])["status"] == "pending"
    _answer(org, project, {"text": "a grey cat"})
    done = org.client.get_task(task["id"])
    assert done["status"] == "completed" and done["review_status"] is None
    assert done["result"]["method"] == "text_medoid"
    assert done["result"]["confidence"] == pytest.approx(10 / 11)  # the full stop differs


def test_a_review_checks_each_answer_against_the_consensus(org: Org) -> None:
    project = _project(org, "spans", {"labels": ["ORG", "PER"]}, overlap=3, review_rate=1.0)
    task = org.client.create_task(project["id"], {"text": TEXT})
    exact, near, far = (_spans((0, 4, "ORG"), (11, 19, "PER")),
                        _spans((0, 4, "ORG"), (11, 20, "PER")), _spans((24, 29, "ORG")))
    _answer(org, project, exact, near, far)
    reviewer = org.worker()
    org.client.add_reviewer(project["id"], reviewer.me()["worker_id"])
    item = reviewer.next_review(project["id"])
    assert item is not None and item["task_id"] == task["id"]
    assert item["result"]["answer"] == exact
    reviewer.review(task["id"], "accept")
    checked = sorted(w["review_accuracy"] for w in org.client.iter_workers(project["id"])
                     if w["review_answers"])
    # A span one character off earns partial credit above the bar; a disjoint one none.
    assert checked == [0.0, 1.0, 1.0]
