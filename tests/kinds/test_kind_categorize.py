"""categorize: params, answers and plurality."""

from typing import Any

import pytest

from assay.kinds import Aggregate, KindValidationError, get_kind

KIND = get_kind("categorize")
SINGLE = KIND.validate_params({"labels": ["positive", "negative", "neutral"]})
MULTI = KIND.validate_params({"labels": ["red", "green", "blue"], "multiple": True})


def error_fields(call: Any, *args: Any) -> list[str]:
    with pytest.raises(KindValidationError) as exc:
        call(*args)
    return [e.field for e in exc.value.errors]


def test_params_fill_the_default_and_copy_the_labels() -> None:
    labels = ["a", "b"]
    params = KIND.validate_params({"labels": labels})
    assert params == {"labels": ["a", "b"], "multiple": False}
    assert params["labels"] is not labels


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        (None, ["params.labels"]),
        ({}, ["params.labels"]),
        ({"labels": []}, ["params.labels"]),
        ({"labels": "a,b"}, ["params.labels"]),
        ({"labels": ["a", "a"]}, ["params.labels[1]"]),
        ({"labels": ["a", ""]}, ["params.labels[1]"]),
        ({"labels": ["a", "  "]}, ["params.labels[1]"]),
        ({"labels": ["a", 3]}, ["params.labels[1]"]),
        ({"labels": ["x" * 201]}, ["params.labels[0]"]),
        ({"labels": [str(i) for i in range(1001)]}, ["params.labels"]),
        ({"labels": ["a"], "multiple": 1}, ["params.multiple"]),
        ({"labels": ["a"], "multiple": "yes"}, ["params.multiple"]),
        (
            {"labels": [1], "multiple": None, "extra": 1},
            ["params.extra", "params.labels[0]", "params.multiple"],
        ),
    ],
)
def test_bad_params_name_each_field(params: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_params, params) == fields


def test_data_is_any_object() -> None:
    KIND.validate_data(SINGLE, {"text": "I loved it"})
    KIND.validate_data(SINGLE, {})


def test_single_answer_is_normalized_to_a_new_dict() -> None:
    answer = {"label": "negative"}
    normalized = KIND.validate_answer(SINGLE, {}, answer)
    assert normalized == {"label": "negative"}
    assert normalized is not answer


@pytest.mark.parametrize(
    ("answer", "fields"),
    [
        ([], ["answer"]),
        ({}, ["answer.label"]),
        ({"label": "bad"}, ["answer.label"]),
        ({"label": 1}, ["answer.label"]),
        ({"label": None}, ["answer.label"]),
        ({"label": "positive", "why": "x"}, ["answer.why"]),
        ({"labels": ["positive"]}, ["answer.labels", "answer.label"]),
    ],
)
def test_bad_single_answers_name_the_field(answer: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_answer, SINGLE, {}, answer) == fields


def test_multiple_answer_is_put_in_params_order() -> None:
    answer = KIND.validate_answer(MULTI, {}, {"labels": ["blue", "red"]})
    assert answer == {"labels": ["red", "blue"]}


def test_multiple_answer_may_be_empty() -> None:
    assert KIND.validate_answer(MULTI, {}, {"labels": []}) == {"labels": []}


@pytest.mark.parametrize(
    ("answer", "fields"),
    [
        ({"label": "red"}, ["answer.label", "answer.labels"]),
        ({"labels": "red"}, ["answer.labels"]),
        ({"labels": ["red", "red"]}, ["answer.labels[1]"]),
        ({"labels": ["red", "pink", 2]}, ["answer.labels[1]", "answer.labels[2]"]),
    ],
)
def test_bad_multiple_answers_name_the_field(answer: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_answer, MULTI, {}, answer) == fields


def test_labels_used() -> None:
    assert KIND.labels_used({"label": "positive"}) == {"positive"}
    assert KIND.labels_used({"labels": ["red", "blue"]}) == {"red", "blue"}
    assert KIND.labels_used({"labels": []}) == set()


def test_params_change_reports_removed_labels() -> None:
    new = KIND.validate_params({"labels": ["neutral", "positive", "mixed"]})
    assert KIND.check_params_change(SINGLE, new) == ["negative"]
    assert KIND.check_params_change(SINGLE, SINGLE) == []


def test_params_change_cannot_toggle_multiple() -> None:
    new = KIND.validate_params({"labels": SINGLE["labels"], "multiple": True})
    assert error_fields(KIND.check_params_change, SINGLE, new) == ["params.multiple"]


def test_plurality_picks_the_most_frequent_label() -> None:
    answers = [{"label": "negative"}, {"label": "positive"}, {"label": "negative"}]
    assert KIND.aggregate(SINGLE, answers) == Aggregate({"label": "negative"}, 2 / 3, "plurality")


def test_a_tie_goes_to_the_label_listed_first() -> None:
    answers = [{"label": "neutral"}, {"label": "negative"}]
    assert KIND.aggregate(SINGLE, answers).answer == {"label": "negative"}


def test_multiple_plurality_is_over_exact_label_sets() -> None:
    answers = [{"labels": ["red", "blue"]}, {"labels": ["red"]}, {"labels": ["red", "blue"]}]
    result = KIND.aggregate(MULTI, answers)
    assert result == Aggregate({"labels": ["red", "blue"]}, 2 / 3, "plurality")


def test_multiple_tie_goes_to_the_set_that_sorts_first() -> None:
    answers: list[dict[str, Any]] = [{"labels": ["green"]}, {"labels": []}, {"labels": ["red"]}]
    assert KIND.aggregate(MULTI, answers).answer == {"labels": []}
    answers = [{"labels": ["green"]}, {"labels": ["red", "blue"]}]
    assert KIND.aggregate(MULTI, answers).answer == {"labels": ["red", "blue"]}


def test_no_answers_no_aggregate() -> None:
    assert KIND.aggregate(SINGLE, []) == Aggregate(None, None, "none")
