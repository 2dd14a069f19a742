"""Automatic scorers: hand-checked cases, and the failure paths."""

from __future__ import annotations

import pytest

from assay.algorithms import InvalidParameterError, LengthMismatchError
from assay.algorithms.scorers import (
    SCORERS,
    contains,
    exact_match,
    normalize_text,
    numeric,
    regex,
    score_replies,
    token_f1,
)


def test_normalisation_drops_case_punctuation_articles_and_spaces() -> None:
    assert normalize_text("An Apple,  a day!\n") == "apple day"
    assert exact_match("  THE answer: 42. ", "answer 42") == 1.0
    assert exact_match("answer 42", "answer 43") == 0.0


@pytest.mark.parametrize(("reply", "reference", "expected"), [
    ("the cat sat", "the cat sat", 1.0),
    ("cat cat dog", "cat dog dog", 2 / 3),  # multisets: one cat and one dog in common
    ("w x y z", "x", 0.4),  # P = 1/4, R = 1
    ("a", "the", 1.0),  # articles only: both empty once normalised
    ("", "", 1.0),
    ("words", "", 0.0),
    ("x y", "z", 0.0),
])
def test_token_f1_by_hand(reply: str, reference: str, expected: float) -> None:
    assert token_f1(reply, reference) == pytest.approx(expected)


def test_contains_needs_whole_tokens() -> None:
    assert contains("I'd say New York City.", "new york") == 1.0
    assert contains("Newark", "new") == 0.0
    assert contains("anything", "") == 1.0


def test_regex_searches_as_written_and_refuses_a_bad_pattern() -> None:
    assert regex("Final: (C)", r"\(C\)") == 1.0
    assert regex("final: c", r"Final") == 0.0
    with pytest.raises(InvalidParameterError, match="regular expression"):
        regex("x", "(")


def test_numeric_reads_the_last_number_within_tolerance() -> None:
    assert numeric("3 apples, then 2,500.0 in all", "2500") == 1.0
    assert numeric("It is -0.5", "-.5") == 1.0
    assert numeric("no idea", "7") == 0.0
    assert numeric("99", "100") == 0.0
    assert numeric("99", "100", rel_tol=0.01) == 1.0
    assert numeric("0.001", "0", abs_tol=0.01) == 1.0
    with pytest.raises(InvalidParameterError, match="no number"):
        numeric("5", "five")
    with pytest.raises(InvalidParameterError):
        numeric("5", "5", rel_tol=-1)


def test_score_replies_averages_over_the_references_there_are() -> None:
    scores, mean = score_replies("f1", ["a b", "c", "d"], ["a b", None, "e"])
    assert scores == [1.0, None, 0.0] and mean == 0.5
    assert score_replies("contains", ["x"], [None]) == ([None], None)
    assert set(SCORERS) == {"exact_match", "f1", "contains", "regex", "numeric"}
    with pytest.raises(InvalidParameterError, match="unknown scorer"):
        score_replies("bleu", ["x"], ["x"])
    with pytest.raises(LengthMismatchError):
        score_replies("f1", ["x"], [])
