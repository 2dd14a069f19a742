"""Rubric means: a hand-computed case, intervals that cover the true mean about 95% of the
time, the undefined and failure paths, and inputs left as they were."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms.errors import AlgorithmInputError, InvalidParameterError
from assay.algorithms.rubric_scores import group_means, weighted_overall


def test_a_hand_computed_interval() -> None:
    # Scores 2, 4, 4, 5: mean 3.75, s = sqrt(((1.75)^2 + 0.25^2 * 2 + 1.25^2) / 3) = 1.2583;
    # t(0.975, 3) = 3.182446; half width 3.182446 * 1.2583 / 2 = 2.0022.
    found = group_means([2, 4, 4, 5], [0, 0, 0, 0], 1)
    assert found.mean[0] == 3.75 and found.n[0] == 4
    assert found.ci_low[0] == pytest.approx(3.75 - 2.00224, abs=1e-4)
    assert found.ci_high[0] == pytest.approx(3.75 + 2.00224, abs=1e-4)
    clipped = group_means([2, 4, 4, 5], [0, 0, 0, 0], 1, low=1, high=5)
    assert clipped.ci_low[0] == pytest.approx(1.74776, abs=1e-4) and clipped.ci_high[0] == 5


def test_the_intervals_cover_the_true_mean_about_95_percent_of_the_time() -> None:
    """4,000 groups of 12 scores on 1..5 drawn from a known distribution (mean 3.4): the
    t intervals hold the true mean for 93-97% of them."""
    rng = np.random.default_rng(7)
    p = np.array([0.05, 0.1, 0.3, 0.35, 0.2])
    truth = float(p @ np.arange(1, 6))
    groups = 4000
    scores = rng.choice(np.arange(1, 6), size=(groups, 12), p=p).ravel()
    found = group_means(scores, np.repeat(np.arange(groups), 12), groups, low=1, high=5)
    covered = np.mean((found.ci_low <= truth) & (truth <= found.ci_high))
    assert 0.93 <= covered <= 0.97


def test_undefined_intervals_and_empty_groups() -> None:
    found = group_means([3.0, 3.0, 4.0], [0, 0, 2], 3)
    assert found.ci_low[0] == found.ci_high[0] == 3.0  # no spread in the data
    assert np.isnan(found.mean[1]) and found.n[1] == 0 and np.isnan(found.ci_low[1])
    assert found.mean[2] == 4.0 and np.isnan(found.ci_high[2])


def test_inputs_are_not_modified() -> None:
    scores = np.array([5.0, 1.0, 3.0])
    groups = np.array([1, 0, 1])
    group_means(scores, groups, 2, low=1, high=5)
    assert scores.tolist() == [5.0, 1.0, 3.0] and groups.tolist() == [1, 0, 1]


def test_failure_paths() -> None:
    with pytest.raises(InvalidParameterError):
        group_means([1.0], [0], 1, level=1.0)
    with pytest.raises(AlgorithmInputError):
        group_means([1.0, 2.0], [0], 1)
    with pytest.raises(AlgorithmInputError):
        group_means([1.0], [3], 2)
    with pytest.raises(AlgorithmInputError):
        group_means([np.nan], [0], 1)
    with pytest.raises(InvalidParameterError):
        weighted_overall([[1.0]], [0.0])


def test_the_weighted_overall_leaves_missing_scores_out() -> None:
    found = weighted_overall([[4.0, 2.0], [5.0, np.nan], [np.nan, np.nan]], [3.0, 1.0])
    assert found[:2].tolist() == [3.5, 5.0] and np.isnan(found[2])
