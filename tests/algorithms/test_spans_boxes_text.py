from __future__ import annotations

import pytest

from assay.algorithms import (
    InvalidParameterError,
    LabelOutOfRangeError,
    NoAnswersError,
    aggregate_boxes,
    aggregate_spans,
    aggregate_texts,
)
from assay.algorithms.text import levenshtein_similarity


def test_spans_keep_characters_a_majority_marked() -> None:
    answers = [[(0, 5, "PER"), (10, 14, "LOC")], [(1, 5, "PER")], [(0, 4, "PER"), (10, 12, "LOC")]]
    spans = aggregate_spans(answers)
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 5, "PER"), (10, 12, "LOC")]


def test_a_worker_overlapping_their_own_spans_counts_once() -> None:
    spans = aggregate_spans([[(0, 4, "X"), (2, 6, "X")], [], []])
    assert spans == []


def test_span_failure_paths() -> None:
    with pytest.raises(NoAnswersError):
        aggregate_spans([])
    with pytest.raises(LabelOutOfRangeError):
        aggregate_spans([[(5, 3, "X")]])
    with pytest.raises(InvalidParameterError):
        aggregate_spans([[(0, 1, "X")]], threshold=1.0)
    assert aggregate_spans([[], []]) == []


def test_boxes_cluster_by_iou_and_need_a_majority() -> None:
    answers = [
        [(0, 0, 10, 10, "car"), (50, 50, 60, 60, "dog")],
        [(1, 1, 11, 11, "car")],
        [(0, 1, 10, 11, "car"), (80, 80, 90, 90, "car")],
    ]
    boxes = aggregate_boxes(answers)
    assert len(boxes) == 1
    box = boxes[0]
    assert (box.x0, box.y0, box.x1, box.y1, box.label) == (0.0, 1.0, 10.0, 11.0, "car")
    assert box.support == 1.0 and 0.6 < box.mean_iou <= 1.0


def test_boxes_of_different_labels_never_merge() -> None:
    boxes = aggregate_boxes([[(0, 0, 10, 10, "car")], [(0, 0, 10, 10, "bus")]], min_support=0.4)
    assert sorted(box.label for box in boxes) == ["bus", "car"]


def test_box_failure_paths() -> None:
    with pytest.raises(NoAnswersError):
        aggregate_boxes([])
    with pytest.raises(LabelOutOfRangeError):
        aggregate_boxes([[(10, 0, 0, 10, "car")]])
    with pytest.raises(InvalidParameterError):
        aggregate_boxes([[]], iou_threshold=0.0)


def test_text_medoid_and_similarity() -> None:
    assert levenshtein_similarity("", "") == 1.0
    assert levenshtein_similarity("abc", "abc") == 1.0
    assert levenshtein_similarity("abc", "xyz") == 0.0
    result = aggregate_texts(["The cat sat", "the  cat sat", "a dog ran", "The cat sits"])
    assert result.index in (0, 1) and 0.5 < result.support <= 1.0
    single = aggregate_texts(["only"])
    assert (single.text, single.index, single.support) == ("only", 0, 1.0)
    with pytest.raises(NoAnswersError):
        aggregate_texts([])
