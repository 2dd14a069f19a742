"""Style control: without a covariate it is the plain fit; with a judge that rewards length,
it recovers the equal strengths that the plain fit spreads apart, and the length effect."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms import Battles, InvalidParameterError, LengthMismatchError, bradley_terry
from assay.algorithms.bradley_terry import SCALE
from assay.algorithms.style_control import (
    bootstrap_style_controlled,
    length_covariate,
    style_controlled,
)


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


def test_integer_weights_count_a_battle_that_many_times() -> None:
    rng = np.random.default_rng(3)
    battles, x = _simulate(rng, np.array([950.0, 1000, 1080]), np.array([60.0, 120, 90]),
                           150.0, 0.5, 400)
    weights = rng.integers(0, 4, size=battles.n_battles)
    keep = np.repeat(np.arange(battles.n_battles), weights)
    copied = Battles(battles.model_a[keep], battles.model_b[keep], battles.outcome[keep],
                     battles.n_models)
    weighted = style_controlled(battles, x, weights=weights)
    repeated = style_controlled(copied, x[keep])
    np.testing.assert_allclose(weighted.ratings, repeated.ratings, atol=1e-4)
    assert weighted.coefficient == pytest.approx(repeated.coefficient, abs=1e-4)
    assert weighted.tie_strength == pytest.approx(repeated.tie_strength, rel=1e-6)


def test_the_style_controlled_intervals_cover_the_truth() -> None:
    """Six models whose true strengths differ from the order of their reply lengths, judged
    with a 250-point length effect, 8 simulated evaluations of 2,000 battles: the 95%
    intervals of the style-controlled ratings hold the true (centred) strength for at least
    85% of models, and the coefficient's interval holds 250 in at least 6 of 8."""
    master = np.random.default_rng(20261205)
    truth = np.array([1100.0, 900, 1050, 1000, 950, 1000])
    lengths = np.array([50.0, 400, 100, 200, 300, 150])
    covered = total = beta_covered = 0
    for _ in range(8):
        rng = np.random.default_rng(master.integers(2**32))
        battles, x = _simulate(rng, truth, lengths, 250.0, 0.4, 2000)
        boot = bootstrap_style_controlled(battles, x, rounds=200, rng=rng)
        centred = truth - truth.mean() + 1000
        covered += int(np.sum((boot.ci_low <= centred) & (centred <= boot.ci_high)))
        total += truth.size
        beta_covered += boot.coefficient_ci[0] <= 250 <= boot.coefficient_ci[1]
        assert boot.converged_rounds == 200 and boot.fit.converged
        assert np.all(boot.ci_low <= boot.fit.ratings) and np.all(boot.fit.ratings
                                                                  <= boot.ci_high)
        assert np.all(boot.rank_low <= boot.rank) and np.all(boot.rank <= boot.rank_high)
    assert covered / total >= 0.85
    assert beta_covered >= 6


def test_the_bootstrap_is_reproducible_and_leaves_its_input_alone() -> None:
    rng = np.random.default_rng(5)
    battles, x = _simulate(rng, np.array([900.0, 1000, 1100]), np.array([80.0, 40, 120]),
                           100.0, 0.5, 500)
    before = (battles.model_a.copy(), battles.outcome.copy(), x.copy())
    first = bootstrap_style_controlled(battles, x, rounds=60, rng=np.random.default_rng(9))
    again = bootstrap_style_controlled(battles, x, rounds=60, rng=np.random.default_rng(9))
    np.testing.assert_array_equal(first.ci_low, again.ci_low)
    assert first.coefficient_ci == again.coefficient_ci
    np.testing.assert_array_equal(battles.model_a, before[0])
    np.testing.assert_array_equal(battles.outcome, before[1])
    np.testing.assert_array_equal(x, before[2])
    # The point fit is the plain style-controlled fit.
    np.testing.assert_allclose(first.fit.ratings, style_controlled(battles, x).ratings,
                               atol=0.01)
    none = bootstrap_style_controlled(battles, x, rounds=0, rng=np.random.default_rng(9))
    assert np.all(np.isnan(none.ci_low)) and none.rounds == 0
    with pytest.raises(InvalidParameterError):
        bootstrap_style_controlled(battles, x, rounds=-1, rng=np.random.default_rng(9))
    with pytest.raises(InvalidParameterError):
        style_controlled(battles, x, weights=np.zeros(battles.n_battles))
