"""Partial-credit scores of one answer against another (spans, boxes, labels, text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.algorithms import (
    InvalidParameterError,
    LabelOutOfRangeError,
    box_f1,
    edit_distance,
    label_jaccard,
    span_f1,
    text_similarity,
)
from assay.algorithms.text import levenshtein_similarity

SETTINGS = settings(max_examples=60, deadline=None)


# Golden values, worked by hand.

def test_a_span_one_character_short_loses_one_character_of_recall() -> None:
    # |E| = 10, |A| = 9, both share 9: F1 = 18 / 19.
    assert span_f1([(0, 10, "ORG")], [(1, 10, "ORG")]) == pytest.approx(18 / 19)


def test_spans_count_per_label() -> None:
    expected = [(0, 4, "ORG"), (11, 14, "PER")]
    answer = [(0, 4, "ORG"), (11, 14, "ORG")]
    # ORG: 4 shared of 4 expected and 7 answered; PER: 3 expected, none answered.
    assert span_f1(expected, answer) == pytest.approx(2 * 4 / (7 + 7))
    assert span_f1([(0, 10, "ORG")], [(0, 10, "PER")]) == 0.0


def test_spans_covering_a_character_twice_count_it_once() -> None:
    assert span_f1([(0, 4, "X"), (2, 6, "X")], [(0, 6, "X")]) == 1.0
    assert span_f1([(0, 3, "X"), (3, 6, "X")], [(0, 6, "X")]) == 1.0


def test_disjoint_spans_score_zero() -> None:
    assert span_f1([(0, 5, "X")], [(5, 9, "X")]) == 0.0


def test_empty_selections() -> None:
    assert span_f1([], []) == 1.0
    assert span_f1([(0, 1, "X")], []) == 0.0
    assert span_f1([], [(0, 1, "X")]) == 0.0
    assert box_f1([], []) == 1.0
    assert box_f1([(0, 0, 1, 1, "a")], []) == 0.0
    assert label_jaccard([], []) == 1.0
    assert label_jaccard(["a"], []) == 0.0
    assert text_similarity("", "") == 1.0
    assert text_similarity("abc", "") == 0.0


def test_a_box_a_pixel_off_still_pairs() -> None:
    # IoU = 90 / 110 = 0.82.
    assert box_f1([(0, 0, 10, 10, "car")], [(1, 0, 11, 10, "car")]) == 1.0
    assert box_f1([(0, 0, 10, 10, "car")], [(6, 0, 16, 10, "car")]) == 0.0  # IoU 0.25
    assert box_f1([(0, 0, 10, 10, "car")], [(6, 0, 16, 10, "car")], min_iou=0.2) == 1.0


def test_boxes_pair_only_within_a_label_and_at_most_once() -> None:
    assert box_f1([(0, 0, 10, 10, "car")], [(0, 0, 10, 10, "bus")]) == 0.0
    expected = [(0, 0, 10, 10, "car"), (20, 20, 30, 30, "car")]
    assert box_f1(expected, [(0, 0, 10, 10, "car")]) == pytest.approx(2 / 3)
    # Two answered boxes on one expected box: one pair, the other is a false positive.
    assert box_f1([(0, 0, 10, 10, "car")],
                  [(0, 0, 10, 10, "car"), (0, 0, 10, 10, "car")]) == pytest.approx(2 / 3)


def test_boxes_are_matched_optimally_not_greedily() -> None:
    # The best single pair (E1, A1: IoU .82) would strand E2 with A2 (IoU .18); the optimal
    # matching pairs E1-A2 (.54) and E2-A1 (.64) instead.
    e1, e2 = (3, 0, 13, 1, "x"), (7, 0, 17, 1, "x")
    a1, a2 = (4, 0, 14, 1, "x"), (0, 0, 10, 1, "x")
    assert box_f1([e1, e2], [a1, a2]) == 1.0


def test_labels_overlap_by_jaccard() -> None:
    assert label_jaccard({"red", "blue"}, {"red"}) == 0.5
    assert label_jaccard(["a", "b"], ["b", "c"]) == pytest.approx(1 / 3)


def test_text_ignores_case_and_whitespace_but_not_words() -> None:
    assert text_similarity("  A grey\tcat \n", "a grey  cat") == 1.0
    assert text_similarity("a grey cat", "a grey hat") == pytest.approx(0.9)
    assert text_similarity("Cat", "cat", normalize=False) == pytest.approx(2 / 3)
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("flaw", "lawn") == 2


def test_edit_distance_stays_cheap_on_long_texts() -> None:
    # 20,000 x 20,000 characters: 400 million cells in the quadratic table.
    text = "the quick brown fox jumps over the lazy dog " * 460
    assert edit_distance(text, text[:9000] + "X" + text[9000:]) == 1


def test_failure_paths() -> None:
    with pytest.raises(LabelOutOfRangeError):
        span_f1([(5, 3, "X")], [])
    with pytest.raises(LabelOutOfRangeError):
        span_f1([], [(-1, 3, "X")])
    with pytest.raises(LabelOutOfRangeError):
        box_f1([(0, 0, 0, 5, "X")], [])
    with pytest.raises(InvalidParameterError):
        box_f1([], [], min_iou=0.0)


# Properties.

labels = st.sampled_from(["A", "B", "C"])


@st.composite
def spans(draw: st.DrawFn) -> list[tuple[int, int, str]]:
    out = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, 40))
        out.append((start, start + draw(st.integers(1, 15)), draw(labels)))
    return out


@st.composite
def boxes(draw: st.DrawFn) -> list[tuple[float, float, float, float, str]]:
    out = []
    for _ in range(draw(st.integers(0, 5))):
        x, y = draw(st.integers(0, 50)), draw(st.integers(0, 50))
        w, h = draw(st.integers(1, 30)), draw(st.integers(1, 30))
        out.append((x, y, x + w, y + h, draw(labels)))
    return out


texts = st.text(alphabet="ab cAB\t", max_size=25)


@SETTINGS
@given(first=spans(), second=spans())
def test_span_f1_is_a_symmetric_score(first: list, second: list) -> None:
    score = span_f1(first, second)
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(span_f1(second, first))
    assert span_f1(first, first) == 1.0


@SETTINGS
@given(first=boxes(), second=boxes(), min_iou=st.floats(0.05, 1.0))
def test_box_f1_is_a_symmetric_score(first: list, second: list, min_iou: float) -> None:
    score = box_f1(first, second, min_iou=min_iou)
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(box_f1(second, first, min_iou=min_iou))
    assert box_f1(first, first, min_iou=min_iou) == 1.0


@SETTINGS
@given(first=st.sets(labels), second=st.sets(labels))
def test_label_jaccard_is_a_symmetric_score(first: set, second: set) -> None:
    score = label_jaccard(first, second)
    assert 0.0 <= score <= 1.0 and score == label_jaccard(second, first)
    assert label_jaccard(first, first) == 1.0


@SETTINGS
@given(first=texts, second=texts)
def test_edit_distance_agrees_with_the_quadratic_table(first: str, second: str) -> None:
    assert text_similarity(first, second, normalize=False) == levenshtein_similarity(
        first, second)
    assert edit_distance(first, second) == edit_distance(second, first)


@SETTINGS
@given(first=texts, second=texts)
def test_text_similarity_is_a_symmetric_score(first: str, second: str) -> None:
    score = text_similarity(first, second)
    assert 0.0 <= score <= 1.0 and score == text_similarity(second, first)
    assert text_similarity(first, first) == 1.0
    assert text_similarity(first, first.upper() + "  ") == 1.0
