"""Bradley-Terry with Davidson ties: golden cases, agreement with choix, and the failure paths."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from assay.algorithms import (
    Battles,
    DisconnectedComparisonsError,
    InvalidParameterError,
    LabelOutOfRangeError,
    LengthMismatchError,
    NoAnswersError,
    PairCounts,
    UnboundedRatingsError,
    bradley_terry,
    count_battles,
    encode_battles,
)
from assay.algorithms.bradley_terry import SCALE, prior_precision
from assay.algorithms.davidson_newton import fit_pair_counts

GOLDEN = json.loads((Path(__file__).parent / "golden" / "bradley_terry.json").read_text())


def _battles(case: dict) -> Battles:  # type: ignore[type-arg]
    rows = [(a, b, w) for a, b, w, count in case["battles"] for _ in range(count)]
    models = [str(m) for m in range(case["n_models"])]
    battles, names = encode_battles([models[a] for a, _, _ in rows],
                                    [models[b] for _, b, _ in rows], [w for _, _, w in rows])
    order = [int(name) for name in names]  # codes follow first appearance
    return Battles(np.array(order)[battles.model_a], np.array(order)[battles.model_b],
                   battles.outcome, case["n_models"])


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda case: case["name"])
def test_it_matches_the_hand_computed_fits(case: dict) -> None:  # type: ignore[type-arg]
    fit = bradley_terry(_battles(case), prior_sd=None)
    assert fit.converged
    np.testing.assert_allclose(fit.ratings, case["ratings"], atol=1e-6)
    assert fit.tie_strength == pytest.approx(float(case["tie_strength"]), abs=1e-9)


def _bt_battles(seed: int, n: int = 8, size: int = 3000) -> tuple[Battles, np.ndarray]:
    """Tie-free battles from Bradley-Terry with natural-log strengths ``truth``."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(0, 1, n)
    a = rng.integers(n, size=size)
    b = (a + rng.integers(1, n, size=size)) % n
    a_wins = rng.random(size) < 1 / (1 + np.exp(truth[b] - truth[a]))
    return Battles(a, b, np.where(a_wins, 0, 1), n), truth


def _choix_data(battles: Battles) -> list[tuple[int, int]]:
    """choix's pairwise data: (winner, loser) per battle."""
    return [(int(a), int(b)) if o == 0 else (int(b), int(a))
            for a, b, o in zip(battles.model_a, battles.model_b, battles.outcome, strict=True)]


def _elo(strengths: np.ndarray) -> np.ndarray:
    return 1000 + SCALE * (strengths - strengths.mean())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_without_ties_it_agrees_with_choix(seed: int) -> None:
    choix = pytest.importorskip("choix")
    battles, _ = _bt_battles(seed)
    fit = bradley_terry(battles, prior_sd=None)
    assert fit.converged and fit.tie_strength == 0.0
    data = _choix_data(battles)
    np.testing.assert_allclose(fit.ratings, _elo(choix.ilsr_pairwise(8, data, tol=1e-12)),
                               atol=1e-6)
    np.testing.assert_allclose(fit.ratings, _elo(choix.mm_pairwise(8, data, tol=1e-12)),
                               atol=1e-4)


def test_the_prior_is_choix_gaussian_penalty() -> None:
    """choix.opt_pairwise minimises NLL + alpha * |θ|²; our prior adds precision / 2 * |θ|²."""
    choix = pytest.importorskip("choix")
    battles, _ = _bt_battles(4, n=6, size=60)
    fit = bradley_terry(battles, prior_sd=150.0)
    theta = choix.opt_pairwise(6, _choix_data(battles), alpha=prior_precision(150.0) / 2,
                               method="Newton-CG", tol=1e-12)
    np.testing.assert_allclose(fit.ratings, _elo(theta), atol=1e-3)


def _davidson_battles(seed: int, ratings: np.ndarray, nu: float, size: int) -> Battles:
    rng = np.random.default_rng(seed)
    n = ratings.size
    a = rng.integers(n, size=size)
    b = (a + rng.integers(1, n, size=size)) % n
    half = (ratings[a] - ratings[b]) / SCALE / 2
    weights = np.stack([np.exp(half), np.exp(-half), np.full(size, nu)], axis=1)
    u = rng.random(size) * weights.sum(axis=1)
    outcome = np.where(u < weights[:, 0], 0, np.where(u < weights[:, :2].sum(axis=1), 1, 2))
    return Battles(a, b, outcome, n)


def _slope(fitted: np.ndarray, truth: np.ndarray) -> float:
    x, y = truth - truth.mean(), fitted - fitted.mean()
    return float(x @ y / (x @ x))


def test_ties_as_half_wins_shrink_the_scale_and_davidson_does_not() -> None:
    """FastChat counts a tie as a win for each side of a duplicated battle. Under Davidson
    ties that flattens the ratings by about 2 / (2 + nu) near the middle (a third at nu = 1);
    the Davidson fit recovers the true spread."""
    truth = np.linspace(700, 1300, 10)
    counts = count_battles(_davidson_battles(5, truth, nu=1.0, size=40_000))
    davidson = bradley_terry(counts)
    half_wins = PairCounts(counts.first, counts.second, 2 * counts.first_wins + counts.ties,
                           2 * counts.second_wins + counts.ties, np.zeros_like(counts.ties),
                           counts.n_models)
    halved = bradley_terry(half_wins)
    assert 0.97 < _slope(davidson.ratings, truth) < 1.03
    assert _slope(halved.ratings, truth) < 0.8
    assert davidson.tie_strength == pytest.approx(1.0, rel=0.05)
    assert np.abs(davidson.ratings - truth).max() < 25
    assert np.abs(halved.ratings - truth).max() > 60


def test_it_reports_convergence_and_stops_at_max_iter() -> None:
    battles, _ = _bt_battles(1)
    assert bradley_terry(battles).iterations <= 10
    stopped = bradley_terry(battles, max_iter=1)
    assert stopped.iterations == 1 and not stopped.converged


def test_it_never_changes_its_input() -> None:
    battles, _ = _bt_battles(2)
    counts = count_battles(battles)
    before = [array.copy() for array in (counts.first_wins, counts.second_wins, counts.ties)]
    bradley_terry(counts)
    for old, new in zip(before, (counts.first_wins, counts.second_wins, counts.ties),
                        strict=True):
        np.testing.assert_array_equal(old, new)
    a = np.array([0, 1])
    coded = Battles(a, [1, 0], [0, 1], 2)
    a[0] = 1
    assert coded.model_a.tolist() == [0, 1] and not coded.model_a.flags.writeable


def test_rounds_fitted_together_equal_rounds_fitted_alone() -> None:
    counts = count_battles(_davidson_battles(3, np.linspace(800, 1200, 6), 0.7, 600))
    rng = np.random.default_rng(0)
    shape = (5, counts.first.size)
    wins, losses, ties = (rng.integers(0, 30, size=shape).astype(float) for _ in range(3))
    ties[0] = 0  # a round without ties (nu = 0) beside rounds with ties
    together = fit_pair_counts(counts, wins, losses, ties, precision=0.03, max_iter=100,
                               tol=1e-9)
    for r in range(5):
        alone = fit_pair_counts(counts, wins[r:r + 1], losses[r:r + 1], ties[r:r + 1],
                                precision=0.03, max_iter=100, tol=1e-9)
        np.testing.assert_allclose(together.ratings[r], alone.ratings[0], atol=1e-7)
        assert together.tie_strength[r] == pytest.approx(alone.tie_strength[0], rel=1e-9)
    assert together.converged.all() and together.tie_strength[0] == 0.0


def test_it_names_the_groups_of_a_disconnected_graph() -> None:
    battles = Battles([0, 2, 0], [1, 3, 1], [0, 1, 2], 5)
    with pytest.raises(DisconnectedComparisonsError) as caught:
        bradley_terry(battles)
    assert caught.value.components == ((0, 1), (2, 3), (4,))
    assert "{0, 1}; {2, 3}; {4}" in str(caught.value)


def test_without_a_prior_an_unbeaten_model_has_no_finite_rating() -> None:
    battles = Battles([0, 0, 1, 2], [1, 2, 2, 1], [0, 0, 0, 0], 3)
    with pytest.raises(UnboundedRatingsError) as caught:
        bradley_terry(battles, prior_sd=None)
    assert (0,) in caught.value.components
    fit = bradley_terry(battles)  # the default prior keeps it finite
    assert fit.converged and np.all(np.isfinite(fit.ratings))
    assert fit.ratings[0] == fit.ratings.max()


@pytest.mark.parametrize("bad", [{"max_iter": 0}, {"tol": 0.0}, {"tol": math.nan},
                                 {"prior_sd": 0.0}, {"prior_sd": -5.0}, {"prior_sd": math.inf}])
def test_it_refuses_bad_parameters(bad: dict[str, float]) -> None:
    with pytest.raises(InvalidParameterError):
        bradley_terry(Battles([0], [1], [0], 2), **bad)  # type: ignore[arg-type]


def test_it_refuses_malformed_battles() -> None:
    with pytest.raises(NoAnswersError):
        bradley_terry(Battles([], [], [], 2))
    with pytest.raises(InvalidParameterError, match="battle 1: model 1 battles itself"):
        Battles([0, 1], [1, 1], [0, 0], 2)
    with pytest.raises(LabelOutOfRangeError, match="battle 0: model_b code 2"):
        Battles([0], [2], [0], 2)
    with pytest.raises(LabelOutOfRangeError, match="outcome code 4"):
        Battles([0], [1], [4], 2)
    with pytest.raises(LengthMismatchError):
        Battles([0, 1], [1], [0], 2)
    with pytest.raises(LabelOutOfRangeError, match="battle 1: winner 'A'"):
        encode_battles(["x", "y"], ["y", "x"], ["a", "A"])


def test_counting_is_the_same_for_many_models() -> None:
    """Past a million cells the counts come from np.unique instead of one bincount."""
    battles = _davidson_battles(6, np.linspace(900, 1100, 5), 0.5, 300)
    spread = np.array([0, 7, 400, 999, 1200])  # the same battles among 1,201 model codes
    wide = count_battles(Battles(spread[battles.model_a], spread[battles.model_b],
                                 battles.outcome, 1201))
    narrow = count_battles(battles)
    np.testing.assert_array_equal(wide.first, spread[narrow.first])
    np.testing.assert_array_equal(wide.second, spread[narrow.second])
    for column in ("first_wins", "second_wins", "ties"):
        np.testing.assert_array_equal(getattr(wide, column), getattr(narrow, column))
