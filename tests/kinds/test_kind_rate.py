"""rate: integer scores, overall or per criterion, aggregated by the median."""

from typing import Any

import pytest

from assay.kinds import Aggregate, KindValidationError, get_kind

KIND = get_kind("rate")
PLAIN = KIND.validate_params(None)
CRITERIA = KIND.validate_params(
    {
        "min": 0,
        "max": 10,
        "criteria": [{"id": "fluency", "weight": 3}, {"id": "accuracy", "description": "Facts"}],
    }
)


def error_fields(call: Any, *args: Any) -> list[str]:
    with pytest.raises(KindValidationError) as exc:
        call(*args)
    return [e.field for e in exc.value.errors]


def test_params_defaults() -> None:
    assert PLAIN == {"min": 1, "max": 5, "criteria": []}
    assert CRITERIA["criteria"] == [
        {"id": "fluency", "description": "", "weight": 3},
        {"id": "accuracy", "description": "Facts", "weight": 1},
    ]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"min": 5, "max": 5}, ["params.max"]),
        ({"min": 6}, ["params.max"]),
        ({"min": 1.0, "max": True}, ["params.min", "params.max"]),
        ({"max": "10"}, ["params.max"]),
        ({"criteria": {"id": "x"}}, ["params.criteria"]),
        ({"criteria": ["fluency"]}, ["params.criteria[0]"]),
        ({"criteria": [{"description": "x"}]}, ["params.criteria[0].id"]),
        ({"criteria": [{"id": ""}]}, ["params.criteria[0].id"]),
        ({"criteria": [{"id": 3}]}, ["params.criteria[0].id"]),
        ({"criteria": [{"id": "a"}, {"id": "a"}]}, ["params.criteria[1].id"]),
        ({"criteria": [{"id": "a", "weight": 0}]}, ["params.criteria[0].weight"]),
        ({"criteria": [{"id": "a", "weight": True}]}, ["params.criteria[0].weight"]),
        ({"criteria": [{"id": "a", "description": None}]}, ["params.criteria[0].description"]),
        ({"criteria": [{"id": "a", "label": "A"}]}, ["params.criteria[0].label"]),
        ({"scale": 5}, ["params.scale"]),
    ],
)
def test_bad_params_name_the_field(params: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_params, params) == fields


def test_answers_are_normalized() -> None:
    assert KIND.validate_answer(PLAIN, {}, {"rating": 5}) == {"rating": 5}
    answer = {"scores": {"accuracy": 0, "fluency": 10}}
    assert KIND.validate_answer(CRITERIA, {}, answer) == {"scores": {"fluency": 10, "accuracy": 0}}


@pytest.mark.parametrize(
    ("params", "answer", "fields"),
    [
        (PLAIN, 4, ["answer"]),
        (PLAIN, {}, ["answer.rating"]),
        (PLAIN, {"rating": 0}, ["answer.rating"]),
        (PLAIN, {"rating": 6}, ["answer.rating"]),
        (PLAIN, {"rating": 4.0}, ["answer.rating"]),
        (PLAIN, {"rating": True}, ["answer.rating"]),
        (PLAIN, {"rating": "4"}, ["answer.rating"]),
        (PLAIN, {"rating": 4, "comment": ""}, ["answer.comment"]),
        (PLAIN, {"scores": {}}, ["answer.scores", "answer.rating"]),
        (CRITERIA, {"rating": 4}, ["answer.rating", "answer.scores"]),
        (CRITERIA, {"scores": [4, 4]}, ["answer.scores"]),
        (CRITERIA, {"scores": {"fluency": 4}}, ["answer.scores.accuracy"]),
        (
            CRITERIA,
            {"scores": {"fluency": 11, "accuracy": -1, "style": 3}},
            ["answer.scores.style", "answer.scores.fluency", "answer.scores.accuracy"],
        ),
    ],
)
def test_bad_answers_name_the_field(params: Any, answer: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_answer, params, {}, answer) == fields


def test_scale_may_widen_and_criteria_may_be_removed() -> None:
    wider = KIND.validate_params({"min": -1, "max": 12, "criteria": [{"id": "accuracy"}]})
    assert KIND.check_params_change(CRITERIA, wider) == ["fluency"]
    assert KIND.labels_used({"scores": {"fluency": 1, "accuracy": 2}}) == {"fluency", "accuracy"}
    assert KIND.labels_used({"rating": 3}) == set()


@pytest.mark.parametrize(
    ("new", "fields"),
    [
        ({"min": 2, "max": 5}, ["params.min"]),
        ({"min": 1, "max": 4}, ["params.max"]),
        ({"criteria": [{"id": "x"}]}, ["params.criteria"]),
    ],
)
def test_changes_that_break_answers_are_refused(new: Any, fields: list[str]) -> None:
    assert error_fields(KIND.check_params_change, PLAIN, KIND.validate_params(new)) == fields


def test_median_rating_with_dispersion_confidence() -> None:
    answers = [{"rating": r} for r in (4, 5, 4)]
    result = KIND.aggregate(PLAIN, answers)
    # MAD = 1/3 around the median 4; confidence = 1 - 2 * (1/3) / 4
    assert result.answer == {"rating": 4}
    assert result.confidence == pytest.approx(1 - 2 / 12)
    assert result.method == "median"


def test_even_count_may_give_a_half_point() -> None:
    result = KIND.aggregate(PLAIN, [{"rating": 1}, {"rating": 5}])
    assert result == Aggregate({"rating": 3.0}, 0.0, "median")
    assert KIND.aggregate(PLAIN, [{"rating": 3}, {"rating": 4}]).answer == {"rating": 3.5}


def test_unanimous_answers_are_fully_confident() -> None:
    assert KIND.aggregate(PLAIN, [{"rating": 2}] * 3) == Aggregate({"rating": 2}, 1.0, "median")


def test_scores_are_aggregated_per_criterion() -> None:
    answers = [
        {"scores": {"fluency": 8, "accuracy": 0}},
        {"scores": {"fluency": 8, "accuracy": 10}},
        {"scores": {"fluency": 8, "accuracy": 5}},
    ]
    result = KIND.aggregate(CRITERIA, answers)
    assert result.answer == {"scores": {"fluency": 8, "accuracy": 5}}
    # fluency agrees fully (1.0, weight 3); accuracy MAD 10/3 → 1 - 2/3 (weight 1)
    assert result.confidence == pytest.approx((3 * 1.0 + 1 * (1 / 3)) / 4)


def test_no_answers_no_aggregate() -> None:
    assert KIND.aggregate(PLAIN, []) == Aggregate(None, None, "none")
    assert KIND.aggregate(CRITERIA, []) == Aggregate(None, None, "none")
