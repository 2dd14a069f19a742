"""Partial credit against gold, training and review: spans, boxes, text and ratings close
enough to the expected answer count as right (the platform through its API, and the
matching rules on their own)."""

from __future__ import annotations

from typing import Any

import pytest

from assay.client import ValidationFailed
from assay.http.documents import ProjectDoc
from assay.quality.matching import MatchPolicy, answer_score, answers_match
from tests.support import Org

TEXT = "Acme hired Bob Smith in Paris."
IMAGE = {"image_url": "https://cdn.example.com/street.jpg", "width": 640, "height": 480}


def _project(org: Org, kind: str, params: dict[str, Any], **quality: Any) -> dict[str, Any]:
    return org.client.create_project(name=f"{kind} gold", kind=kind, params=params,
                                     quality={"overlap": 1, "gold_rate": 1.0, **quality})


def _gold_accuracy(org: Org, project: dict[str, Any], data: dict[str, Any],
                   expected: dict[str, Any], answer: dict[str, Any]) -> float | None:
    """Store one gold task, let a fresh worker answer it, and return their gold accuracy
    as the requester sees it (``/v1/projects/{id}/workers``). The worker's own figures
    take gold checks only in batches (quality/disclosure.py): nothing yet after one."""
    if not any(True for _ in org.client.iter_gold(project["id"])):
        org.client.add_gold(project["id"], data, expected)
    # Gold is only mixed into live work, so leave live work for every worker.
    org.client.create_task(project["id"], {**data, "live": True})
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None and "live" not in offer["data"], "gold comes first at rate 1"
    worker.submit(offer["assignment_id"], answer)
    assert worker.me(project["id"])["accuracy"] is None
    rows = {w["worker_id"]: w for w in org.client.iter_workers(project["id"])}
    accuracy: float | None = rows[worker.me()["worker_id"]]["gold_accuracy"]
    return accuracy


def _spans(*spans: tuple[int, int, str]) -> dict[str, Any]:
    return {"spans": [{"start": s, "end": e, "label": label} for s, e, label in spans]}


def test_a_span_one_character_off_is_right_and_a_disjoint_one_wrong(org: Org) -> None:
    project = _project(org, "spans", {"labels": ["ORG", "PER", "LOC"]})
    data = {"text": TEXT}
    expected = _spans((0, 4, "ORG"), (11, 20, "PER"))
    assert _gold_accuracy(org, project, data, expected, expected) == 1.0
    near = _spans((0, 4, "ORG"), (11, 19, "PER"))  # "Bob Smit"
    assert _gold_accuracy(org, project, data, expected, near) == 1.0
    wrong_label = _spans((0, 4, "ORG"), (11, 20, "LOC"))
    assert _gold_accuracy(org, project, data, expected, wrong_label) == 0.0
    assert _gold_accuracy(org, project, data, expected, _spans((24, 29, "LOC"))) == 0.0
    assert _gold_accuracy(org, project, data, expected, _spans()) == 0.0


def test_nothing_to_mark_matches_nothing_marked(org: Org) -> None:
    project = _project(org, "spans", {"labels": ["ORG"]})
    data = {"text": "no names here"}
    assert _gold_accuracy(org, project, data, _spans(), _spans()) == 1.0
    assert _gold_accuracy(org, project, data, _spans(), _spans((0, 2, "ORG"))) == 0.0


def _boxes(*boxes: tuple[float, float, float, float, str]) -> dict[str, Any]:
    return {"boxes": [{"x": x, "y": y, "w": w, "h": h, "label": label}
                      for x, y, w, h, label in boxes]}


def test_a_box_a_pixel_off_is_right_and_a_distant_one_wrong(org: Org) -> None:
    project = _project(org, "boxes", {"labels": ["car", "person"]})
    expected = _boxes((100, 100, 50, 40, "car"), (300, 200, 20, 60, "person"))
    near = _boxes((101, 99, 50, 41, "car"), (300, 201, 21, 60, "person"))
    assert _gold_accuracy(org, project, IMAGE, expected, near) == 1.0
    one_missing = _boxes((100, 100, 50, 40, "car"))  # F1 2/3 < 0.8
    assert _gold_accuracy(org, project, IMAGE, expected, one_missing) == 0.0
    far = _boxes((400, 10, 50, 40, "car"), (10, 300, 20, 60, "person"))
    assert _gold_accuracy(org, project, IMAGE, expected, far) == 0.0
    swapped = _boxes((100, 100, 50, 40, "person"), (300, 200, 20, 60, "car"))
    assert _gold_accuracy(org, project, IMAGE, expected, swapped) == 0.0


def test_text_ignores_case_and_whitespace(org: Org) -> None:
    project = _project(org, "text", {})
    data = {"image_url": "https://cdn.example.com/cat.jpg"}
    expected = {"text": "A grey cat asleep on a keyboard."}
    loose = {"text": "  a grey cat\nasleep on a  KEYBOARD. "}
    assert _gold_accuracy(org, project, data, expected, loose) == 1.0
    typo = {"text": "A grey cat aslep on a keybord."}
    assert _gold_accuracy(org, project, data, expected, typo) == 1.0
    other = {"text": "A black dog on a sofa."}
    assert _gold_accuracy(org, project, data, expected, other) == 0.0


def test_a_rating_within_the_scales_tolerance_is_right(org: Org) -> None:
    project = _project(org, "rate", {"min": 1, "max": 10})
    data = {"answer": "Paris"}
    assert _gold_accuracy(org, project, data, {"rating": 4}, {"rating": 5}) == 1.0
    assert _gold_accuracy(org, project, data, {"rating": 4}, {"rating": 6}) == 0.0


def test_a_project_can_tighten_the_bars(org: Org) -> None:
    project = _project(org, "spans", {"labels": ["ORG", "PER"]},
                       match={"min_f1": 0.99})
    assert project["quality"]["match"] == {"min_f1": 0.99}
    ProjectDoc.model_validate(project)
    data = {"text": TEXT}
    expected = _spans((0, 4, "ORG"), (11, 20, "PER"))
    near = _spans((0, 4, "ORG"), (11, 19, "PER"))
    assert _gold_accuracy(org, project, data, expected, near) == 0.0
    # A PATCH replaces the match object; {} brings the defaults back.
    updated = org.client.update_project(project["id"], quality={"match": {}})
    assert updated["quality"]["match"] == {}
    assert _gold_accuracy(org, project, data, expected, near) == 1.0


def test_a_tighter_text_bar_applies_to_training_feedback(org: Org) -> None:
    project = org.client.create_project(name="captions", kind="text", params={},
                                        quality={"match": {"min_similarity": 1.0}})
    org.client.add_training(project["id"], {"n": 1}, {"text": "a grey cat"}, "Say what you see.")
    org.client.add_training(project["id"], {"n": 2}, {"text": "a red car"}, "Say what you see.")
    org.client.create_task(project["id"], {"n": 3})
    worker = org.worker()
    answers = {1: "A  Grey cat ", 2: "a red cat"}
    verdicts = {}
    for _ in range(2):
        offer = worker.next(project["id"])
        assert offer is not None
        receipt = worker.submit(offer["assignment_id"], {"text": answers[offer["data"]["n"]]})
        verdicts[offer["data"]["n"]] = receipt["feedback"]["correct"]
    assert verdicts == {1: True, 2: False}


def test_the_project_keeps_its_shape_without_match(org: Org) -> None:
    project = _project(org, "boxes", {"labels": ["car"]})
    assert "match" not in project["quality"]
    assert "match" not in org.client.update_project(project["id"], name="renamed")["quality"]


@pytest.mark.parametrize("match", [
    {"min_f1": 1.5}, {"min_iou": 0}, {"min_similarity": -0.1}, {"rating_tolerance": -1},
    {"rating_tolerance": 0.5}, {"min_jaccard": 2}, {"bogus": 1}, {"min_f1": "high"},
])
def test_bad_match_settings_are_refused(org: Org, match: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        _project(org, "spans", {"labels": ["ORG"]}, match=match)


def test_review_scores_answers_against_a_fixed_text(org: Org) -> None:
    project = org.client.create_project(name="review text", kind="text", params={},
                                        quality={"overlap": 2, "review_rate": 1.0})
    task = org.client.create_task(project["id"], {"n": 1})
    close, far, reviewer = org.worker(), org.worker(), org.worker()
    for worker, text in ((close, "a grey cat asleep"), (far, "a dog")):
        offer = worker.next(project["id"])
        assert offer is not None
        worker.submit(offer["assignment_id"], {"text": text})
    org.client.add_reviewer(project["id"], reviewer.me()["worker_id"])
    item = reviewer.next_review(project["id"])
    assert item is not None and item["task_id"] == task["id"]
    reviewer.review(task["id"], "fix", {"text": "A grey cat asleep."})
    # Nobody was rejected; the fixed result decides who was right.
    assert close.standing(project["id"])["accuracy"]["review_correct"] == 1
    assert far.standing(project["id"])["accuracy"]["review_answers"] == 1
    assert far.standing(project["id"])["accuracy"]["review_correct"] == 0


# The rules on their own.

def test_categorize_is_exact_unless_the_project_allows_partial_label_sets() -> None:
    single = {"labels": ["a", "b"], "multiple": False}
    assert answers_match("categorize", single, {"label": "a"}, {"label": "a"})
    assert not answers_match("categorize", single, {"label": "a"}, {"label": "b"})
    multiple = {"labels": ["a", "b", "c"], "multiple": True}
    expected, answer = {"labels": ["a", "b"]}, {"labels": ["a"]}
    assert answer_score("categorize", multiple, expected, answer) == 0.5
    assert not answers_match("categorize", multiple, expected, answer)
    assert answers_match("categorize", multiple, expected, answer, MatchPolicy(min_jaccard=0.5))
    assert answers_match("categorize", multiple, {"labels": []}, {"labels": []})


def test_compare_agrees_on_every_stated_preference_whatever_the_strength() -> None:
    params = {"allow_tie": True, "criteria": ["help", "safe"]}
    expected = {"choice": "a", "strength": 3, "criteria": {"help": "a", "safe": "tie"}}
    same = {"choice": "a", "strength": 1, "criteria": {"help": "a", "safe": "tie"}}
    assert answers_match("compare", params, expected, same)
    partial = {"choice": "a", "criteria": {"help": "a"}}
    assert answer_score("compare", params, expected, partial) == pytest.approx(2 / 3)
    assert not answers_match("compare", params, expected, partial)
    assert not answers_match("compare", params, {"choice": "a"}, {"choice": "b"})
    # An aggregated result has no strength: an answer with one still agrees with it.
    assert answers_match("compare", {"allow_tie": False, "criteria": []},
                         {"choice": "b"}, {"choice": "b", "strength": 2})


def test_rate_tolerance_defaults_to_a_tenth_of_the_scale() -> None:
    five = {"min": 1, "max": 5, "criteria": []}
    assert not answers_match("rate", five, {"rating": 3}, {"rating": 4})
    assert answer_score("rate", five, {"rating": 3}, {"rating": 4}) == 0.75
    hundred = {"min": 0, "max": 100, "criteria": []}
    assert answers_match("rate", hundred, {"rating": 50}, {"rating": 60})
    assert not answers_match("rate", hundred, {"rating": 50}, {"rating": 61})
    assert answers_match("rate", five, {"rating": 3}, {"rating": 4},
                         MatchPolicy(rating_tolerance=1))
    # A median of an even number of answers (3.5) accepts both neighbours.
    assert answers_match("rate", five, {"rating": 3.5}, {"rating": 4})
    assert answers_match("rate", five, {"rating": 3.5}, {"rating": 3})
    assert not answers_match("rate", five, {"rating": 3.5}, {"rating": 5})


def test_rate_with_criteria_needs_every_criterion_within_tolerance() -> None:
    params = {"min": 1, "max": 10,
              "criteria": [{"id": "fluency", "weight": 3}, {"id": "accuracy", "weight": 1}]}
    expected = {"scores": {"fluency": 8, "accuracy": 5}}
    assert answers_match("rate", params, expected, {"scores": {"fluency": 7, "accuracy": 6}})
    off = {"scores": {"fluency": 8, "accuracy": 9}}
    assert not answers_match("rate", params, expected, off)
    assert answer_score("rate", params, expected, off) == pytest.approx((3 + 1 - 4 / 9) / 4)


def test_boxes_and_spans_scores_are_f1() -> None:
    boxes = {"labels": ["car"]}
    expected = {"boxes": [{"x": 0, "y": 0, "w": 10, "h": 10, "label": "car"},
                          {"x": 50, "y": 50, "w": 10, "h": 10, "label": "car"}]}
    answer = {"boxes": [{"x": 1, "y": 1, "w": 10, "h": 10, "label": "car"}]}
    assert answer_score("boxes", boxes, expected, answer) == pytest.approx(2 / 3)
    assert answers_match("boxes", boxes, expected, answer, MatchPolicy(min_f1=0.6))
    assert not answers_match("boxes", boxes, expected, answer,
                             MatchPolicy(min_f1=0.6, min_iou=0.9))
    # 4 of 5 characters: F1 = 8/9; a bar met exactly is met.
    spans = {"labels": ["X"]}
    assert answers_match("spans", spans, _spans((0, 5, "X")), _spans((0, 4, "X")),
                         MatchPolicy(min_f1=8 / 9))
