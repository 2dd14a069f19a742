"""compare: pairwise preference between two responses."""

from typing import Any

import pytest

from assay.kinds import Aggregate, KindValidationError, get_kind

KIND = get_kind("compare")
PLAIN = KIND.validate_params(None)
TIES = KIND.validate_params({"allow_tie": True, "criteria": ["helpful", "safe"]})
DATA = {"prompt": "Say hi", "a": "Hi!", "b": {"text": "Hello.", "model": "m2"}}


def error_fields(call: Any, *args: Any) -> list[str]:
    with pytest.raises(KindValidationError) as exc:
        call(*args)
    return [e.field for e in exc.value.errors]


def test_params_defaults() -> None:
    assert PLAIN == {"allow_tie": False, "allow_both_bad": False, "criteria": []}
    assert TIES == {"allow_tie": True, "allow_both_bad": False, "criteria": ["helpful", "safe"]}


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"allow_tie": "no"}, ["params.allow_tie"]),
        ({"allow_both_bad": 1}, ["params.allow_both_bad"]),
        ({"criteria": "helpful"}, ["params.criteria"]),
        ({"criteria": ["a", "a", ""]}, ["params.criteria[1]", "params.criteria[2]"]),
        ({"labels": ["a"]}, ["params.labels"]),
    ],
)
def test_bad_params_name_the_field(params: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_params, params) == fields


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, ["data.prompt", "data.a", "data.b"]),
        ({"prompt": "p", "a": "x"}, ["data.b"]),
        ({"prompt": None, "a": 1, "b": ["x"]}, ["data.prompt", "data.a", "data.b"]),
    ],
)
def test_bad_data_names_the_field(data: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_data, PLAIN, data) == fields


def test_data_may_hold_strings_or_objects() -> None:
    KIND.validate_data(PLAIN, {**DATA, "id": 3})


def test_answers_are_normalized() -> None:
    assert KIND.validate_answer(PLAIN, DATA, {"choice": "b"}) == {"choice": "b"}
    answer = {"choice": "a", "strength": 3, "criteria": {"safe": "tie", "helpful": "a"}}
    assert KIND.validate_answer(TIES, DATA, answer) == {
        "choice": "a",
        "strength": 3,
        "criteria": {"helpful": "a", "safe": "tie"},
    }
    assert KIND.validate_answer(TIES, DATA, {"choice": "tie", "criteria": {}}) == {"choice": "tie"}


@pytest.mark.parametrize(
    ("params", "answer", "fields"),
    [
        (PLAIN, [], ["answer"]),
        (PLAIN, {}, ["answer.choice"]),
        (PLAIN, {"choice": "tie"}, ["answer.choice"]),
        (PLAIN, {"choice": "A"}, ["answer.choice"]),
        (PLAIN, {"choice": ["a"]}, ["answer.choice"]),
        (PLAIN, {"choice": "a", "strength": 0}, ["answer.strength"]),
        (PLAIN, {"choice": "a", "strength": 4}, ["answer.strength"]),
        (PLAIN, {"choice": "a", "strength": True}, ["answer.strength"]),
        (PLAIN, {"choice": "a", "strength": 2.0}, ["answer.strength"]),
        (PLAIN, {"choice": "a", "criteria": {}}, ["answer.criteria"]),
        (TIES, {"choice": "tie", "strength": 2}, ["answer.strength"]),
        (TIES, {"choice": "a", "criteria": ["safe"]}, ["answer.criteria"]),
        (TIES, {"choice": "a", "criteria": {"fast": "a"}}, ["answer.criteria.fast"]),
        (TIES, {"choice": "a", "criteria": {"safe": "c"}}, ["answer.criteria.safe"]),
        (TIES, {"choice": "x", "confidence": 1}, ["answer.confidence", "answer.choice"]),
    ],
)
def test_bad_answers_name_the_field(params: Any, answer: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_answer, params, DATA, answer) == fields


def test_per_criterion_tie_needs_allow_tie() -> None:
    params = KIND.validate_params({"criteria": ["safe"]})
    answer = {"choice": "a", "criteria": {"safe": "tie"}}
    assert error_fields(KIND.validate_answer, params, DATA, answer) == ["answer.criteria.safe"]


def test_criteria_behave_like_labels() -> None:
    assert KIND.labels_used({"choice": "a", "criteria": {"safe": "b"}}) == {"safe"}
    assert KIND.labels_used({"choice": "a"}) == set()
    new = KIND.validate_params({"allow_tie": True, "criteria": ["safe", "short"]})
    assert KIND.check_params_change(TIES, new) == ["helpful"]


BOTH_BAD = KIND.validate_params({"allow_both_bad": True})


def test_both_bad_is_an_overall_choice_only_when_allowed() -> None:
    assert KIND.validate_answer(BOTH_BAD, DATA, {"choice": "both_bad"}) == {"choice": "both_bad"}
    assert error_fields(KIND.validate_answer, PLAIN, DATA, {"choice": "both_bad"}) == [
        "answer.choice"]
    assert error_fields(KIND.validate_answer, BOTH_BAD, DATA,
                        {"choice": "both_bad", "strength": 1}) == ["answer.strength"]
    # "tie" needs allow_tie even where both_bad is allowed; a criterion is never "both bad".
    assert error_fields(KIND.validate_answer, BOTH_BAD, DATA, {"choice": "tie"}) == [
        "answer.choice"]
    both = KIND.validate_params({"allow_both_bad": True, "allow_tie": True, "criteria": ["s"]})
    assert error_fields(KIND.validate_answer, both, DATA,
                        {"choice": "a", "criteria": {"s": "both_bad"}}) == ["answer.criteria.s"]
    assert KIND.tally_labels(both) == ["a", "b", "tie", "both_bad"]
    assert KIND.categorical(BOTH_BAD).labels == ["a", "b", "both_bad"]  # type: ignore[union-attr]


def test_turning_off_a_choice_answers_use_is_a_removed_label() -> None:
    assert KIND.labels_used({"choice": "both_bad"}) == {"both_bad"}
    assert KIND.labels_used({"choice": "a", "criteria": {"helpful": "tie"}}) == {"helpful", "tie"}
    assert KIND.check_params_change(BOTH_BAD, PLAIN) == ["both_bad"]
    assert KIND.check_params_change(TIES, KIND.validate_params(
        {"criteria": ["helpful", "safe"]})) == ["tie"]
    assert KIND.check_params_change(PLAIN, BOTH_BAD) == []


def test_both_bad_is_counted_like_any_choice() -> None:
    answers = [{"choice": "both_bad"}, {"choice": "a"}, {"choice": "both_bad"}]
    assert KIND.aggregate(BOTH_BAD, answers) == Aggregate({"choice": "both_bad"}, 2 / 3,
                                                          "plurality")
    # A tie in the count goes to "a" before "both_bad".
    assert KIND.aggregate(BOTH_BAD, answers[:2]).answer == {"choice": "a"}
    match = KIND.match(BOTH_BAD, {"choice": "both_bad"}, {"choice": "b"})
    assert (match.score, match.right) == (0.0, False)


def test_plurality_of_choices_with_confidence() -> None:
    answers: list[dict[str, Any]] = [
        {"choice": "b"},
        {"choice": "a", "strength": 1},
        {"choice": "b", "strength": 3},
    ]
    assert KIND.aggregate(PLAIN, answers) == Aggregate({"choice": "b"}, 2 / 3, "plurality")


def test_ties_in_the_count_go_to_a_then_b_then_tie() -> None:
    assert KIND.aggregate(TIES, [{"choice": "tie"}, {"choice": "b"}]).answer == {"choice": "b"}
    assert KIND.aggregate(TIES, [{"choice": "b"}, {"choice": "a"}]).answer == {"choice": "a"}


def test_criteria_are_decided_among_the_answers_that_judged_them() -> None:
    answers = [
        {"choice": "a", "criteria": {"safe": "b"}},
        {"choice": "a", "criteria": {"safe": "tie", "helpful": "a"}},
        {"choice": "b", "criteria": {"safe": "tie"}},
    ]
    result = KIND.aggregate(TIES, answers)
    assert result.answer == {"choice": "a", "criteria": {"helpful": "a", "safe": "tie"}}
    assert result.confidence == pytest.approx(2 / 3)


def test_no_answers_no_aggregate() -> None:
    assert KIND.aggregate(PLAIN, []) == Aggregate(None, None, "none")
