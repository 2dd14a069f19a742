"""Style control: without a covariate it is the plain fit; with a judge that rewards length,
it recovers the equal strengths that the plain fit spreads apart, and the length effect."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms import Battles, InvalidParameterError, LengthMismatchError, bradley_terry
from assay.algorithms.bradley_terry import SCALE
from assay.algorithms.style_control import length_covariate, style_controlled


def _simulate(rng: np.random.Generator, truth: np.ndarray, lengths: np.ndarray, beta: float,
              nu: float, size: int) -> tuple[Battles, np.ndarray]:
    n = truth.size
    a = rng.integers(n, size=size)
    b = (a + rng.integers(1, n, size=size)) % n
    # Each reply's length varies around its model's (a quarter to four times it), so that
    # length is not the model's identity.
    x = length_covariate(lengths[a] * np.exp(rng.uniform(-1.4, 1.4, size)),
                         lengths[b] * np.exp(rng.uniform(-1.4, 1.4, size)))
    half = ((truth[a] - truth[b]) + beta * x) / SCALE / 2
    weights = np.stack([np.exp(half), np.exp(-half), np.full(size, nu)], axis=1)
    u = rng.random(size) * weights.sum(axis=1)
    outcome = np.where(u < weights[:, 0], 0, np.where(u < weights[:, :2].sum(axis=1), 1, 2))
    return Battles(a, b, outcome, n), x


def test_a_zero_covariate_gives_the_plain_fit() -> None:
    rng = np.random.default_rng(1)
    battles, _ = _simulate(rng, np.array([900.0, 1000, 1100]), np.ones(3), 0.0, 0.5, 600)
    fit = style_controlled(battles, np.zeros(battles.n_battles))
    plain = bradley_terry(battles)
    np.testing.assert_allclose(fit.ratings, plain.ratings, atol=0.05)
    assert fit.tie_strength == pytest.approx(plain.tie_strength, rel=1e-3)
    assert fit.converged and abs(fit.coefficient) < 1e-6


def test_it_separates_length_from_strength() -> None:
    """Four equally strong models with replies of 50, 100, 200 and 400 words, judged by a
    judge that adds 300 Elo points to a reply that is all the length: the plain fit orders
    them by length, style control puts them within 40 points of each other and finds the
    length effect."""
    rng = np.random.default_rng(7)
    truth = np.full(4, 1000.0)
    battles, x = _simulate(rng, truth, np.array([50.0, 100, 200, 400]), 300.0, 0.4, 8000)
    plain = bradley_terry(battles)
    assert np.argsort(plain.ratings).tolist() == [0, 1, 2, 3]
    assert plain.ratings[3] - plain.ratings[0] > 150
    fit = style_controlled(battles, x)
    assert fit.converged
    assert np.ptp(fit.ratings) < 40
    assert fit.coefficient == pytest.approx(300, abs=40)


def test_it_refuses_bad_input() -> None:
    battles = Battles([0], [1], [0], 2)
    with pytest.raises(LengthMismatchError):
        style_controlled(battles, [0.0, 1.0])
    with pytest.raises(InvalidParameterError):
        style_controlled(battles, [float("nan")])
