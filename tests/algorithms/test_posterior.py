"""The one-coin posterior: exact on small cases, calibrated on a simulated crowd."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms.errors import InvalidParameterError, LabelOutOfRangeError
from assay.algorithms.posterior import one_coin_posterior


def test_hand_computed_case() -> None:
    # Two workers at 0.8 say 0, one at 0.6 says 1, K = 2:
    # P(0) ∝ .8·.8·.4 = .256, P(1) ∝ .2·.2·.6 = .024.
    post = one_coin_posterior([0, 0, 1], [0.8, 0.8, 0.6], 2)
    assert post == pytest.approx([0.256 / 0.28, 0.024 / 0.28])


def test_no_answers_give_the_prior_and_inputs_are_not_mutated() -> None:
    assert one_coin_posterior([], [], 4) == pytest.approx([0.25] * 4)
    labels, acc = np.array([1, 2]), np.array([0.7, 0.9])
    one_coin_posterior(labels, acc, 3, prior=[0.2, 0.3, 0.5])
    assert labels.tolist() == [1, 2] and acc.tolist() == [0.7, 0.9]


def test_bad_input_is_refused() -> None:
    with pytest.raises(LabelOutOfRangeError):
        one_coin_posterior([3], [0.9], 3)
    with pytest.raises(InvalidParameterError):
        one_coin_posterior([0], [1.0], 3)
    with pytest.raises(InvalidParameterError):
        one_coin_posterior([0, 1], [0.9], 3)


def test_confidences_are_calibrated_when_accuracies_are_known() -> None:
    rng = np.random.default_rng(11)
    k, n_tasks = 3, 20_000
    truth = rng.integers(0, k, n_tasks)
    conf = np.empty(n_tasks)
    right = np.empty(n_tasks, dtype=bool)
    for t in range(n_tasks):
        acc = rng.uniform(0.45, 0.95, size=rng.integers(1, 5))
        ok = rng.random(acc.size) < acc
        other = (truth[t] + rng.integers(1, k, acc.size)) % k
        labels = np.where(ok, truth[t], other)
        post = one_coin_posterior(labels, acc, k)
        conf[t], right[t] = post.max(), post.argmax() == truth[t]
    for low, high in [(0.5, 0.7), (0.7, 0.9), (0.9, 0.97), (0.97, 1.0)]:
        in_bin = (conf >= low) & (conf < high)
        assert in_bin.sum() > 500
        assert abs(right[in_bin].mean() - conf[in_bin].mean()) < 0.03
