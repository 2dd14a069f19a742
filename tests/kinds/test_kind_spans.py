"""spans: character ranges in a text."""

from typing import Any

import pytest

from assay.kinds import Aggregate, KindValidationError, Match, MatchPolicy, get_kind

KIND = get_kind("spans")
PARAMS = KIND.validate_params({"labels": ["ORG", "PER"]})
DATA = {"text": "Acme hired Bob."}  # 15 characters


def error_fields(call: Any, *args: Any) -> list[str]:
    with pytest.raises(KindValidationError) as exc:
        call(*args)
    return [e.field for e in exc.value.errors]


def span(start: Any, end: Any, label: Any = "ORG") -> dict[str, Any]:
    return {"start": start, "end": end, "label": label}


def test_params_are_only_labels() -> None:
    assert KIND.validate_params({"labels": ["ORG"]}) == {"labels": ["ORG"]}
    assert error_fields(KIND.validate_params, None) == ["params.labels"]
    assert error_fields(KIND.validate_params, {"labels": ["A"], "multiple": True}) == [
        "params.multiple"
    ]


@pytest.mark.parametrize(
    ("data", "fields"),
    [({}, ["data.text"]), ({"text": 3}, ["data.text"]), ({"text": ""}, ["data.text"])],
)
def test_data_needs_a_text(data: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_data, PARAMS, data) == fields


def test_data_keeps_other_keys() -> None:
    KIND.validate_data(PARAMS, {"text": "x", "source": "crawl"})


def test_spans_are_sorted_and_copied() -> None:
    spans = [span(11, 14, "PER"), span(0, 4)]
    answer = {"spans": spans}
    normalized = KIND.validate_answer(PARAMS, DATA, answer)
    assert normalized == {"spans": [span(0, 4), span(11, 14, "PER")]}
    assert normalized["spans"][1] is not spans[0]


def test_empty_and_adjacent_spans_are_fine() -> None:
    assert KIND.validate_answer(PARAMS, DATA, {"spans": []}) == {"spans": []}
    answer = {"spans": [span(4, 15), span(0, 4)]}
    assert KIND.validate_answer(PARAMS, DATA, answer)["spans"][0] == span(0, 4)


def test_offsets_count_code_points() -> None:
    data = {"text": "café 🎉"}  # 6 code points
    KIND.validate_answer(PARAMS, data, {"spans": [span(5, 6)]})
    assert error_fields(KIND.validate_answer, PARAMS, data, {"spans": [span(5, 7)]}) == [
        "answer.spans[0].end"
    ]


@pytest.mark.parametrize(
    ("answer", "fields"),
    [
        ("spans", ["answer"]),
        ({}, ["answer.spans"]),
        ({"spans": {}}, ["answer.spans"]),
        ({"spans": [], "note": 1}, ["answer.note"]),
        ({"spans": [3]}, ["answer.spans[0]"]),
        ({"spans": [{"start": 0, "end": 1}]}, ["answer.spans[0].label"]),
        ({"spans": [{**span(0, 1), "score": 1}]}, ["answer.spans[0].score"]),
        ({"spans": [span(True, 3)]}, ["answer.spans[0].start"]),
        ({"spans": [span(0, 2.0)]}, ["answer.spans[0].end"]),
        ({"spans": [span(-1, 3)]}, ["answer.spans[0].start"]),
        ({"spans": [span(0, 16)]}, ["answer.spans[0].end"]),
        ({"spans": [span(3, 3)]}, ["answer.spans[0].end"]),
        ({"spans": [span(5, 3)]}, ["answer.spans[0].end"]),
        ({"spans": [span(0, 4, "LOC")]}, ["answer.spans[0].label"]),
        ({"spans": [span(0, 4), span(2, 6, "PER")]}, ["answer.spans[1]"]),
        ({"spans": [span(2, 6), span(0, 4)]}, ["answer.spans[0]"]),
        ({"spans": [span(0, 4), span(0, 4)]}, ["answer.spans[1]"]),
        (
            {"spans": [span(0, 99), span(1, 2, 7)], "x": 0},
            ["answer.x", "answer.spans[0].end", "answer.spans[1].label"],
        ),
    ],
)
def test_bad_answers_name_the_field(answer: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_answer, PARAMS, DATA, answer) == fields


def test_labels_used_and_params_change() -> None:
    answer = {"spans": [span(0, 4), span(5, 6)]}
    assert KIND.labels_used(answer) == {"ORG"}
    new = KIND.validate_params({"labels": ["PER", "LOC"]})
    assert KIND.check_params_change(PARAMS, new) == ["ORG"]


def test_identical_answers_are_their_own_consensus() -> None:
    # Two touching spans of one label stay two spans when most answers mark them so.
    answer = {"spans": [span(0, 4), span(4, 10), span(11, 14, "PER")]}
    assert KIND.aggregate(PARAMS, [answer, answer]) == Aggregate(answer, 1.0, "span_majority")


def test_a_character_keeps_the_label_most_answers_give_it() -> None:
    answers = [{"spans": [span(0, 4), span(11, 14, "PER")]},
               {"spans": [span(0, 5)]},
               {"spans": [span(1, 4), span(11, 14, "ORG")]}]
    result = KIND.aggregate(PARAMS, answers)
    assert result.answer == {"spans": [span(0, 4)]}
    assert result.method == "span_majority"
    # Character F1 of each answer against [0, 4) ORG: 8/11, 8/9, 6/10.
    assert result.confidence == pytest.approx((8 / 11 + 8 / 9 + 6 / 10) / 3)


def test_no_majority_means_no_spans_and_no_confidence() -> None:
    answers = [{"spans": [span(0, 4)]}, {"spans": [span(11, 14, "PER")]}]
    assert KIND.aggregate(PARAMS, answers) == Aggregate({"spans": []}, 0.0, "span_majority")
    assert KIND.aggregate(PARAMS, [{"spans": []}] * 2) == Aggregate(
        {"spans": []}, 1.0, "span_majority")
    assert KIND.aggregate(PARAMS, []) == Aggregate(None, None, "none")


def test_the_consensus_is_a_valid_answer() -> None:
    answers = [{"spans": [span(0, 6), span(6, 9, "PER")]}, {"spans": [span(0, 9, "PER")]},
               {"spans": [span(0, 6), span(6, 15, "PER")]}]
    result = KIND.aggregate(PARAMS, answers)
    assert result.answer == {"spans": [span(0, 6), span(6, 9, "PER")]}
    assert KIND.validate_answer(PARAMS, DATA, result.answer) == result.answer


def test_spans_match_by_character_f1() -> None:
    expected = {"spans": [span(0, 4), span(11, 15, "PER")]}
    assert KIND.match(PARAMS, expected, expected) == Match(1.0, True)
    near = {"spans": [span(0, 4), span(11, 14, "PER")]}  # 7 of 8 characters: F1 14/15
    assert KIND.match(PARAMS, expected, near) == Match(pytest.approx(14 / 15), True)
    assert not KIND.match(PARAMS, expected, near, MatchPolicy(min_f1=0.95)).right
    assert KIND.match(PARAMS, expected, {"spans": []}) == Match(0.0, False)
