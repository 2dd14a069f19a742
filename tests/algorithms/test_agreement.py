from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assay.algorithms import (
    Answers,
    InvalidParameterError,
    LabelOutOfRangeError,
    LengthMismatchError,
    NoAnswersError,
    UndefinedStatisticError,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)

GOLDEN = json.loads((Path(__file__).parent / "golden" / "agreement.json").read_text())


def _from_observers(observers: list[list[int | None]]) -> Answers:
    rows = [
        (unit, coder, value - 1)
        for coder, row in enumerate(observers)
        for unit, value in enumerate(row)
        if value is not None
    ]
    task, worker, label = np.array(rows).T
    return Answers(task, worker, label, len(observers[0]), len(observers), 5)


def _from_counts(counts: list[list[int]]) -> Answers:
    rows = [
        (subject, rater, category)
        for subject, row in enumerate(counts)
        for rater, category in enumerate(np.repeat(np.arange(len(row)), row))
    ]
    task, worker, label = np.array(rows).T
    return Answers(task, worker, label, len(counts), int(max(map(sum, counts))), len(counts[0]))


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_alpha_matches_the_published_example(level: str) -> None:
    case = GOLDEN["krippendorff_2011"]
    answers = _from_observers(case["observers"])
    alpha = krippendorff_alpha(answers, level, values=[1, 2, 3, 4, 5])  # type: ignore[arg-type]
    assert alpha == pytest.approx(case["alpha"][level], abs=5e-4)


def test_fleiss_kappa_matches_the_worked_example() -> None:
    case = GOLDEN["fleiss_1971_wikipedia"]
    answers = _from_counts(case["counts"])
    assert fleiss_kappa(answers) == pytest.approx(case["kappa"], abs=5e-4)
    assert percent_agreement(answers) == pytest.approx(case["percent_agreement"], abs=5e-4)


def test_cohen_kappa_matches_the_two_by_two_table() -> None:
    case = GOLDEN["cohen_two_by_two"]
    table = np.array(case["table"])
    first = np.repeat([0, 0, 1, 1], table.ravel())
    second = np.repeat([0, 1, 0, 1], table.ravel())
    assert cohen_kappa(first, second) == pytest.approx(case["kappa"])


def test_weighted_cohen_kappa_penalises_far_disagreements_more() -> None:
    first = np.array([0, 1, 2, 0, 1, 2, 2])
    near = np.array([0, 1, 2, 1, 1, 2, 1])
    far = np.array([0, 1, 2, 2, 1, 2, 0])
    assert cohen_kappa(first, near, 3, weights="linear") > cohen_kappa(
        first, far, 3, weights="linear"
    )
    assert cohen_kappa(first, first, 3, weights="quadratic") == pytest.approx(1.0)


def test_perfect_agreement_gives_one_and_chance_gives_about_zero() -> None:
    rng = np.random.default_rng(0)
    task = np.repeat(np.arange(2000), 3)
    random = Answers(task, np.tile([0, 1, 2], 2000), rng.integers(3, size=6000), 2000, 3, 3)
    assert abs(fleiss_kappa(random)) < 0.03
    assert abs(krippendorff_alpha(random)) < 0.03
    perfect = Answers(
        task, np.tile([0, 1, 2], 2000), np.repeat(rng.integers(3, size=2000), 3), 2000, 3, 3
    )
    assert fleiss_kappa(perfect) == pytest.approx(1.0)
    assert krippendorff_alpha(perfect, "ordinal") == pytest.approx(1.0)
    assert percent_agreement(perfect) == 1.0


def test_agreement_failure_paths() -> None:
    single = Answers([0, 1], [0, 0], [0, 1], 2, 1, 2)
    for statistic in (percent_agreement, fleiss_kappa, krippendorff_alpha):
        with pytest.raises(NoAnswersError):
            statistic(single)
    same = Answers([0, 0], [0, 1], [1, 1], 1, 2, 2)
    with pytest.raises(UndefinedStatisticError):
        fleiss_kappa(same)
    with pytest.raises(UndefinedStatisticError):
        krippendorff_alpha(same)
    with pytest.raises(InvalidParameterError):
        krippendorff_alpha(Answers([0, 0], [0, 1], [0, 1], 1, 2, 2), "cardinal")  # type: ignore[arg-type]
    with pytest.raises(LengthMismatchError):
        krippendorff_alpha(Answers([0, 0], [0, 1], [0, 1], 1, 2, 2), "interval", values=[1.0])
    with pytest.raises(LengthMismatchError):
        cohen_kappa([0, 1], [0])
    with pytest.raises(LabelOutOfRangeError):
        cohen_kappa([0, 3], [0, 1], 2)
    with pytest.raises(UndefinedStatisticError):
        cohen_kappa([1, 1], [1, 1])
    with pytest.raises(NoAnswersError):
        cohen_kappa([], [])
