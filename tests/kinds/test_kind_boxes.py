"""boxes: labelled rectangles on an image."""

from typing import Any

import pytest

from assay.kinds import Aggregate, KindValidationError, Match, MatchPolicy, get_kind

KIND = get_kind("boxes")
PARAMS = KIND.validate_params({"labels": ["car", "person"]})
DATA = {"image_url": "https://cdn.example.com/a.jpg"}
SIZED = {**DATA, "width": 100, "height": 50}


def error_fields(call: Any, *args: Any) -> list[str]:
    with pytest.raises(KindValidationError) as exc:
        call(*args)
    return [e.field for e in exc.value.errors]


def box(x: Any = 10, y: Any = 20, w: Any = 30, h: Any = 20, label: Any = "car") -> dict[str, Any]:
    return {"x": x, "y": y, "w": w, "h": h, "label": label}


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.com/a.jpg",
        "http://10.0.0.1:8080/img?id=3",
        "data:image/png;base64,iVBO",
    ],
)
def test_image_urls_that_a_browser_loads(url: str) -> None:
    KIND.validate_data(PARAMS, {"image_url": url, "width": 640, "height": 480, "id": 7})


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, ["data.image_url"]),
        ({"image_url": 5}, ["data.image_url"]),
        ({"image_url": "ftp://example.com/a.jpg"}, ["data.image_url"]),
        ({"image_url": "s3://bucket/a.jpg"}, ["data.image_url"]),
        ({"image_url": "https://"}, ["data.image_url"]),
        ({"image_url": "http://[::1"}, ["data.image_url"]),
        ({"image_url": "data:text/html,<b>"}, ["data.image_url"]),
        ({"image_url": "/images/a.jpg"}, ["data.image_url"]),
        ({**DATA, "width": 0, "height": 1.5}, ["data.width", "data.height"]),
        ({**DATA, "width": True}, ["data.width"]),
    ],
)
def test_bad_data_names_the_field(data: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_data, PARAMS, data) == fields


def test_boxes_are_sorted_top_to_bottom_and_copied() -> None:
    boxes = [box(x=5, y=30), box(x=50, y=0.5, label="person"), box(x=1, y=30)]
    normalized = KIND.validate_answer(PARAMS, DATA, {"boxes": boxes})
    assert [(b["x"], b["y"]) for b in normalized["boxes"]] == [(50, 0.5), (1, 30), (5, 30)]
    assert all(b is not original for b in normalized["boxes"] for original in boxes)


def test_boxes_may_overlap_touch_the_edges_or_be_absent() -> None:
    KIND.validate_answer(PARAMS, SIZED, {"boxes": [box(0, 0, 100, 50), box(10, 10, 5, 5)]})
    assert KIND.validate_answer(PARAMS, SIZED, {"boxes": []}) == {"boxes": []}


@pytest.mark.parametrize(
    ("answer", "fields"),
    [
        (None, ["answer"]),
        ({}, ["answer.boxes"]),
        ({"boxes": "car"}, ["answer.boxes"]),
        ({"boxes": [], "spans": []}, ["answer.spans"]),
        ({"boxes": [[1, 2, 3, 4]]}, ["answer.boxes[0]"]),
        ({"boxes": [{"x": 1, "y": 1, "w": 1, "label": "car"}]}, ["answer.boxes[0].h"]),
        ({"boxes": [{**box(), "r": 3}]}, ["answer.boxes[0].r"]),
        ({"boxes": [box(x=-1)]}, ["answer.boxes[0].x"]),
        ({"boxes": [box(y="2")]}, ["answer.boxes[0].y"]),
        ({"boxes": [box(w=0)]}, ["answer.boxes[0].w"]),
        ({"boxes": [box(h=False)]}, ["answer.boxes[0].h"]),
        ({"boxes": [box(w=float("nan"))]}, ["answer.boxes[0].w"]),
        ({"boxes": [box(h=float("inf"))]}, ["answer.boxes[0].h"]),
        ({"boxes": [box(label="truck")]}, ["answer.boxes[0].label"]),
        ({"boxes": [box(), box(x=-2, label=None)]}, ["answer.boxes[1].x", "answer.boxes[1].label"]),
    ],
)
def test_bad_answers_name_the_field(answer: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_answer, PARAMS, DATA, answer) == fields


@pytest.mark.parametrize(
    ("b", "fields"),
    [
        (box(x=80, w=21), ["answer.boxes[0].w"]),
        (box(y=40, h=10.5), ["answer.boxes[0].h"]),
        (box(x=100, w=1), ["answer.boxes[0].x"]),
        (box(x=100, y=50, w=1, h=1), ["answer.boxes[0].x", "answer.boxes[0].y"]),
    ],
)
def test_image_size_bounds_the_boxes(b: dict[str, Any], fields: list[str]) -> None:
    assert error_fields(KIND.validate_answer, PARAMS, SIZED, {"boxes": [b]}) == fields
    KIND.validate_answer(PARAMS, DATA, {"boxes": [b]})  # no size, no bound


def test_labels_used_and_params_change() -> None:
    assert KIND.labels_used({"boxes": [box(), box(label="person")]}) == {"car", "person"}
    new = KIND.validate_params({"labels": ["car", "bus"]})
    assert KIND.check_params_change(PARAMS, new) == ["person"]


def test_identical_answers_are_their_own_consensus() -> None:
    answer = KIND.validate_answer(PARAMS, DATA, {"boxes": [box(), box(x=60, label="person")]})
    assert KIND.aggregate(PARAMS, [answer, answer]) == Aggregate(answer, 1.0, "box_median")


def test_the_consensus_box_is_the_median_of_a_cluster_most_answers_drew() -> None:
    answers = [{"boxes": [box(x=10, w=30)]}, {"boxes": [box(x=12, w=30)]},
               {"boxes": [box(x=11, w=31), box(x=60, label="person")]}]
    result = KIND.aggregate(PARAMS, answers)
    assert result.answer == {"boxes": [box(x=11, w=31)]}  # x1: median of 40, 42, 42
    assert result.method == "box_median"
    # Every answer pairs its car with the consensus; the third also drew a lone person.
    assert result.confidence == pytest.approx((1 + 1 + 2 / 3) / 3)


def test_boxes_of_another_label_or_far_away_do_not_cluster() -> None:
    answers = [{"boxes": [box()]}, {"boxes": [box(label="person")]}]
    assert KIND.aggregate(PARAMS, answers) == Aggregate({"boxes": []}, 0.0, "box_median")
    assert KIND.aggregate(PARAMS, [{"boxes": []}] * 2) == Aggregate(
        {"boxes": []}, 1.0, "box_median")


def test_the_consensus_is_a_valid_answer() -> None:
    answers = [{"boxes": [box(x=10.5, w=20)]}, {"boxes": [box(x=10, w=20.25)]}]
    result = KIND.aggregate(PARAMS, answers)
    assert result.answer is not None
    assert KIND.validate_answer(PARAMS, SIZED, result.answer) == result.answer
    assert result.answer["boxes"][0]["x"] == 10.25


def test_a_box_matches_at_the_iou_bar_and_the_f1_bar() -> None:
    expected = {"boxes": [box(x=0, y=0, w=10, h=10), box(x=50, y=0, w=10, h=10)]}
    shifted = {"boxes": [box(x=1, y=0, w=10, h=10), box(x=50, y=0, w=10, h=10)]}
    assert KIND.match(PARAMS, expected, shifted) == Match(1.0, True)
    half = {"boxes": [box(x=0, y=0, w=10, h=10)]}
    assert KIND.match(PARAMS, expected, half) == Match(pytest.approx(2 / 3), False)
    assert KIND.match(PARAMS, expected, half, MatchPolicy(min_f1=0.6)).right
    assert not KIND.match(PARAMS, expected, shifted, MatchPolicy(min_iou=0.9)).right


def test_a_box_too_thin_to_measure_covers_nothing() -> None:
    thin = KIND.validate_answer(PARAMS, DATA, {"boxes": [box(y=1, h=1e-90)]})
    assert KIND.aggregate(PARAMS, [thin, thin]) == Aggregate({"boxes": []}, 1.0, "box_median")
    assert KIND.match(PARAMS, thin, {"boxes": []}) == Match(1.0, True)
