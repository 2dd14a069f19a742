from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms import (
    EmptyTaskError,
    InvalidParameterError,
    LengthMismatchError,
    NoAnswersError,
    Ratings,
    bias_corrected_rating,
    encode_ratings,
    mean_rating,
    median_rating,
)


def test_mean_and_median_by_hand() -> None:
    ratings, encoding = encode_ratings(["a", "a", "a", "b", "b"], [1, 2, 3, 1, 2], [1, 2, 9, 4, 6])
    assert encoding.tasks == ("a", "b")
    assert mean_rating(ratings).values.tolist() == [4.0, 5.0]
    assert median_rating(ratings).values.tolist() == [2.0, 5.0]


def test_bias_correction_removes_a_constant_offset() -> None:
    rng = np.random.default_rng(0)
    n_tasks, n_workers = 200, 10
    true_value = rng.normal(50, 20, n_tasks)
    bias = np.linspace(-15, 15, n_workers)
    task = np.repeat(np.arange(n_tasks), 3)
    worker = np.concatenate([rng.choice(n_workers, 3, replace=False) for _ in range(n_tasks)])
    value = true_value[task] + bias[worker] + rng.normal(0, 1, task.size)
    ratings = Ratings(task, worker, value, n_tasks, n_workers)
    corrected = bias_corrected_rating(ratings, shrinkage=0.1)
    assert corrected.converged and corrected.worker_bias is not None
    assert np.abs(corrected.worker_bias - bias).max() < 1.5
    error_corrected = np.abs(corrected.values - true_value).mean()
    assert error_corrected < 0.5 * np.abs(mean_rating(ratings).values - true_value).mean()


def test_it_reports_when_the_sweeps_ran_out() -> None:
    ratings = Ratings([0, 0, 1, 1], [0, 1, 1, 2], [1.0, 3.0, 5.0, 2.0], 2, 3)
    result = bias_corrected_rating(ratings, max_iter=1, tol=0.0)
    assert result.iterations == 1 and not result.converged


def test_rating_failure_paths() -> None:
    with pytest.raises(EmptyTaskError):
        mean_rating(Ratings([0], [0], [1.0], 2, 1))
    with pytest.raises(NoAnswersError):
        median_rating(Ratings([], [], [], 1, 1))
    with pytest.raises(InvalidParameterError):
        Ratings([0], [0], [float("nan")], 1, 1)
    with pytest.raises(LengthMismatchError):
        Ratings([0, 0], [0, 1], [1.0], 1, 2)
    with pytest.raises(LengthMismatchError):
        encode_ratings(["a"], ["w", "v"], [1.0])
    with pytest.raises(InvalidParameterError):
        bias_corrected_rating(Ratings([0], [0], [1.0], 1, 1), shrinkage=-1)


def test_duplicate_ratings_follow_the_policy() -> None:
    ratings, _ = encode_ratings(["a", "a"], ["w", "w"], [1.0, 5.0], duplicates="last")
    assert mean_rating(ratings).values.tolist() == [5.0]
    ratings, _ = encode_ratings(["a", "a"], ["w", "w"], [1.0, 5.0], duplicates="keep")
    assert mean_rating(ratings).values.tolist() == [3.0]
