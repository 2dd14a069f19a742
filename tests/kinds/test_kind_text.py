"""text: free text answers."""

from typing import Any

import pytest

from assay.kinds import KindValidationError, get_kind

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


def test_no_labels_no_aggregation() -> None:
    assert KIND.labels_used({"text": "x"}) == set()
    assert KIND.check_params_change(SHORT, PLAIN) == []
    assert KIND.aggregate(PLAIN, [{"text": "a"}, {"text": "a"}]).method == "none"
