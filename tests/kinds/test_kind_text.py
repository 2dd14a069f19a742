"""text: free text answers."""

from typing import Any

import pytest

from assay.kinds import Aggregate, KindValidationError, Match, MatchPolicy, get_kind

KIND = get_kind("text")
PLAIN = KIND.validate_params(None)
SHORT = KIND.validate_params({"max_length": 5})


def error_fields(call: Any, *args: Any) -> list[str]:
    with pytest.raises(KindValidationError) as exc:
        call(*args)
    return [e.field for e in exc.value.errors]


def test_params_defaults() -> None:
    assert PLAIN == {"max_length": None}
    assert KIND.validate_params({"max_length": None}) == {"max_length": None}
    assert SHORT == {"max_length": 5}


@pytest.mark.parametrize("value", [0, -1, 100_001, 5.0, True, "5"])
def test_bad_max_length(value: Any) -> None:
    assert error_fields(KIND.validate_params, {"max_length": value}) == ["params.max_length"]


def test_text_is_kept_as_written() -> None:
    assert KIND.validate_answer(PLAIN, {}, {"text": "  def f():\n"}) == {"text": "  def f():\n"}
    assert KIND.validate_answer(SHORT, {}, {"text": "🎉🎉🎉🎉🎉"}) == {"text": "🎉🎉🎉🎉🎉"}


@pytest.mark.parametrize(
    ("params", "answer", "fields"),
    [
        (PLAIN, "hello", ["answer"]),
        (PLAIN, {}, ["answer.text"]),
        (PLAIN, {"text": ""}, ["answer.text"]),
        (PLAIN, {"text": " \n\t"}, ["answer.text"]),
        (PLAIN, {"text": 5}, ["answer.text"]),
        (PLAIN, {"text": "x" * 100_001}, ["answer.text"]),
        (SHORT, {"text": "sixsix"}, ["answer.text"]),
        (PLAIN, {"text": "ok", "lang": "en"}, ["answer.lang"]),
    ],
)
def test_bad_answers_name_the_field(params: Any, answer: Any, fields: list[str]) -> None:
    assert error_fields(KIND.validate_answer, params, {}, answer) == fields


def test_no_labels() -> None:
    assert KIND.labels_used({"text": "x"}) == set()
    assert KIND.check_params_change(SHORT, PLAIN) == []


def test_the_result_is_the_answer_closest_to_the_others_as_written() -> None:
    answers = [{"text": "a red car"}, {"text": "A red  car "}, {"text": "a red cat"},
               {"text": "blue"}]
    result = KIND.aggregate(PLAIN, answers)
    assert result.answer == {"text": "a red car"}
    assert result.method == "text_medoid"
    # Its similarity to the others: 1 (case and spaces aside), 8/9 and 1/9.
    assert result.confidence == pytest.approx((1 + 8 / 9 + 1 / 9) / 3)


def test_agreeing_texts_are_fully_confident_and_one_text_is_itself() -> None:
    assert KIND.aggregate(PLAIN, [{"text": "a"}, {"text": "a"}]) == Aggregate(
        {"text": "a"}, 1.0, "text_medoid")
    assert KIND.aggregate(PLAIN, [{"text": " x "}]) == Aggregate({"text": " x "}, 1.0,
                                                                "text_medoid")
    assert KIND.aggregate(PLAIN, []) == Aggregate(None, None, "none")


def test_texts_match_by_similarity() -> None:
    expected = {"text": "A grey cat asleep."}
    assert KIND.match(PLAIN, expected, {"text": "a grey  cat asleep."}) == Match(1.0, True)
    assert not KIND.match(PLAIN, expected, {"text": "A dog."}).right
    assert KIND.match(PLAIN, expected, {"text": "A grey cat asleep"},
                      MatchPolicy(min_similarity=0.99)).right is False
