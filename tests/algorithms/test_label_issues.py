"""Label-issue miners: confident learning on planted label errors (found with the per-class
thresholds that a global cut misses), inputs never mutated, bad shapes refused; the
worker-model miner's two reasons."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.label_issues import (
    class_thresholds,
    confident_learning_issues,
    worker_model_issues,
)


def _planted(rng: np.random.Generator, n: int = 600, k: int = 3, flips: int = 60,
             under: float = 0.9) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A model that is right about the true class but under-confident about class 2 (its
    probability of 2 rarely passes 0.5), and labels with ``flips`` planted errors."""
    truth = rng.integers(0, k, n)
    logits = rng.normal(0, 0.3, (n, k))
    logits[np.arange(n), truth] += np.where(truth == 2, under, 2.5)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    given = truth.copy()
    flipped = rng.choice(n, flips, replace=False)
    given[flipped] = (truth[flipped] + rng.integers(1, k, flips)) % k
    return probs, given, np.sort(flipped)


def test_it_finds_planted_errors_with_high_precision_and_recall() -> None:
    probs, given, flipped = _planted(np.random.default_rng(3))
    before = (probs.copy(), given.copy())
    issues = confident_learning_issues(probs, given)
    found = set(issues.index.tolist())
    tp = len(found & set(flipped.tolist()))
    assert tp / len(found) >= 0.9 and tp / flipped.size >= 0.9
    # the suggested label is the true one for the real errors it found
    truth_of = {i: int(np.argmax(probs[i])) for i in flipped.tolist()}
    right = [s == truth_of[i] for i, s in zip(issues.index.tolist(),
                                             issues.suggested.tolist(), strict=True)
             if i in truth_of]
    assert np.mean(right) >= 0.9
    assert np.all(np.diff(issues.index) > 0) and np.all((issues.score >= 0) &
                                                         (issues.score <= 1))
    np.testing.assert_array_equal(probs, before[0])
    np.testing.assert_array_equal(given, before[1])


def test_per_class_thresholds_beat_a_global_cut_on_an_under_confident_class() -> None:
    probs, given, flipped = _planted(np.random.default_rng(5), under=0.5)
    t = class_thresholds(probs, given)
    assert t[2] < 0.5 < t[0]  # the model is under-confident about class 2
    found = set(confident_learning_issues(probs, given).index.tolist())
    # A global cut at 0.5 on the most probable class other than the given one misses
    # errors whose true class is 2.
    other = probs.copy()
    other[np.arange(given.size), given] = -1
    global_cut = set(np.flatnonzero(other.max(axis=1) >= 0.5).tolist())
    truth = np.argmax(probs, axis=1)
    planted = {i for i in flipped.tolist() if truth[i] == 2}
    assert len(found & planted) >= 0.7 * len(planted)
    assert len(found & planted) >= 2 * len(global_cut & planted)


def test_a_class_nobody_was_given_has_no_confident_examples() -> None:
    assert class_thresholds([[0.5, 0.5], [0.9, 0.1]], [0, 0]).tolist() == [0.7, np.inf]
    assert confident_learning_issues([[0.5, 0.5], [0.9, 0.1]], [0, 0]).index.size == 0


@pytest.mark.parametrize(("probs", "given"), [
    ([[0.5, 0.5]], [0, 1]), ([[0.5, 1.5]], [0]), ([[0.5, 0.5]], [2]), ([0.5, 0.5], [0]),
    ([[np.nan, 1.0]], [0]),
])
def test_bad_input_is_refused(probs: list, given: list) -> None:
    with pytest.raises(InvalidParameterError):
        confident_learning_issues(probs, given)


def test_worker_models_low_posterior_and_a_confident_worker_who_disagrees() -> None:
    posteriors = [[0.9, 0.1], [0.45, 0.55], [0.8, 0.2], [0.8, 0.2], [0.2, 0.8]]
    result = [0, 0, 0, 0, -1]  # task 4 has no result: never flagged
    # worker 0: confident (0.95 on 50); worker 1: accurate but on 3 answers only
    task, worker, label = [0, 1, 2, 3, 2, 4], [0, 0, 0, 1, 1, 0], [0, 0, 1, 1, 0, 0]
    issues = worker_model_issues(posteriors, result, task, worker, label, [0.95, 0.99],
                                 [50, 3])
    assert issues.index.tolist() == [1, 2]
    assert issues.reason == ("low_posterior", "confident_worker_disagrees")
    assert issues.suggested.tolist() == [1, 1]
    assert issues.score.round(2).tolist() == [0.55, 0.2]
