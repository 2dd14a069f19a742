from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms import (
    Answers,
    DuplicateAnswerError,
    EmptyTaskError,
    InvalidParameterError,
    LabelOutOfRangeError,
    LengthMismatchError,
    NoAnswersError,
    encode_answers,
)


def test_it_encodes_ids_in_order_of_appearance_and_sorts_classes() -> None:
    answers, encoding = encode_answers(["b", "a", "b"], ["x", "y", "y"], ["no", "yes", "no"])
    assert answers.task.tolist() == [0, 1, 0]
    assert answers.worker.tolist() == [0, 1, 1]
    assert answers.label.tolist() == [0, 1, 0]
    assert encoding.tasks == ("b", "a") and encoding.workers == ("x", "y")
    assert encoding.classes == ("no", "yes")
    assert encoding.decode_labels(np.array([1, 0])) == ["yes", "no"]
    assert (answers.n_tasks, answers.n_workers, answers.n_classes) == (2, 2, 2)


def test_it_keeps_the_given_class_order_and_unused_classes() -> None:
    answers, encoding = encode_answers(
        [1, 2], [1, 1], ["high", "low"], classes=["low", "mid", "high"]
    )
    assert answers.label.tolist() == [2, 0]
    assert answers.n_classes == 3 and encoding.classes == ("low", "mid", "high")


def test_it_rejects_a_label_outside_the_given_classes() -> None:
    with pytest.raises(LabelOutOfRangeError):
        encode_answers([1], [1], ["maybe"], classes=["yes", "no"])


@pytest.mark.parametrize(
    ("policy", "labels"), [("last", [0, 1]), ("first", [0, 0]), ("keep", [0, 0, 1])]
)
def test_it_applies_the_duplicate_policy(policy: str, labels: list[int]) -> None:
    answers, _ = encode_answers(
        ["t", "u", "t"], ["w", "w", "w"], ["a", "a", "b"], duplicates=policy
    )  # type: ignore[arg-type]
    assert answers.label.tolist() == labels


def test_it_raises_on_duplicates_when_asked() -> None:
    with pytest.raises(DuplicateAnswerError):
        encode_answers(["t", "t"], ["w", "w"], ["a", "b"], duplicates="error")
    with pytest.raises(InvalidParameterError):
        encode_answers(["t"], ["w"], ["a"], duplicates="newest")  # type: ignore[arg-type]


def test_it_reports_duplicate_pairs() -> None:
    answers = Answers([0, 0, 1], [0, 0, 0], [0, 1, 0], 2, 1, 2)
    assert answers.duplicate_mask().tolist() == [True, True, False]


def test_it_rejects_mismatched_lengths_and_empty_input() -> None:
    with pytest.raises(LengthMismatchError):
        encode_answers(["t", "u"], ["w"], ["a", "b"])
    with pytest.raises(NoAnswersError):
        encode_answers([], [], [])
    with pytest.raises(LengthMismatchError):
        Answers([0, 1], [0], [0, 0], 2, 1, 1)


@pytest.mark.parametrize(
    "columns",
    [([0, 2], [0, 0], [0, 0]), ([0, 1], [-1, 0], [0, 0]), ([0, 1], [0, 0], [0, 3])],
)
def test_it_rejects_codes_out_of_range(columns: tuple[list[int], ...]) -> None:
    with pytest.raises(LabelOutOfRangeError):
        Answers(*columns, n_tasks=2, n_workers=1, n_classes=3)


def test_it_rejects_float_codes_and_bad_sizes() -> None:
    with pytest.raises(LabelOutOfRangeError):
        Answers(np.array([0.5]), [0], [0], 1, 1, 1)
    with pytest.raises(InvalidParameterError):
        Answers([0], [0], [0], 1, 0, 1)


def test_it_copies_and_freezes_the_arrays() -> None:
    task = np.array([0, 1])
    answers = Answers(task, np.array([0, 0]), np.array([1, 0]), 2, 1, 2)
    task[0] = 1
    assert answers.task.tolist() == [0, 1]
    with pytest.raises(ValueError, match="read-only"):
        answers.label[0] = 0


def test_it_detects_tasks_without_answers() -> None:
    with pytest.raises(EmptyTaskError):
        Answers([0], [0], [0], 2, 1, 1).require_every_task_answered()
    with pytest.raises(NoAnswersError):
        Answers([], [], [], 1, 1, 1).require_every_task_answered()
