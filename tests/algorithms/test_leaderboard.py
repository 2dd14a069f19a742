"""Leaderboards: bootstrap intervals that cover the truth, rank intervals, the failure paths."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms import (
    Battles,
    DisconnectedComparisonsError,
    InvalidParameterError,
    PairCounts,
    bootstrap_bradley_terry,
    bradley_terry,
    count_battles,
    leaderboard,
)
from assay.algorithms.bradley_terry import SCALE


def simulate(rng: np.random.Generator, ratings: np.ndarray, nu: float, size: int) -> Battles:
    """Battles drawn from Bradley-Terry-Davidson with the given Elo ratings."""
    n = ratings.size
    a = rng.integers(n, size=size)
    b = (a + rng.integers(1, n, size=size)) % n
    half = (ratings[a] - ratings[b]) / SCALE / 2
    weights = np.stack([np.exp(half), np.exp(-half), np.full(size, nu)], axis=1)
    u = rng.random(size) * weights.sum(axis=1)
    outcome = np.where(u < weights[:, 0], 0, np.where(u < weights[:, :2].sum(axis=1), 1, 2))
    # A fifth of the ties are "both bad": they count as ties.
    outcome = np.where((outcome == 2) & (rng.random(size) < 0.2), 3, outcome)
    return Battles(a, b, outcome, n)


def test_the_95_percent_intervals_cover_the_truth() -> None:
    """12 models with known ratings, 8 simulated evaluations of 3,000 battles each: the
    intervals hold the true (centred) rating for at least 85% of models, and the order is
    right wherever two models are 150 points apart."""
    master = np.random.default_rng(20240613)
    covered, total = 0, 0
    for _ in range(8):
        truth = master.normal(1000, 150, 12)
        truth += 1000 - truth.mean()
        board = leaderboard(simulate(master, truth, 0.6, 3000), rounds=200, rng=master)
        assert board.converged
        covered += int(((board.ci_low <= truth) & (truth <= board.ci_high)).sum())
        total += truth.size
        apart = (truth[:, None] - truth[None, :]) > 150
        assert np.all((board.ratings[:, None] > board.ratings[None, :])[apart])
    assert covered / total >= 0.85


def test_it_is_reproducible_with_a_seed_and_counts_every_battle() -> None:
    battles = simulate(np.random.default_rng(1), np.array([900.0, 1000, 1100, 1050]), 0.5, 800)
    first = leaderboard(battles, rounds=100, rng=np.random.default_rng(7))
    again = leaderboard(battles, rounds=100, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(first.ci_low, again.ci_low)
    np.testing.assert_array_equal(first.rank_high, again.rank_high)
    assert first.battles.sum() == 2 * battles.n_battles
    np.testing.assert_array_equal(first.battles, first.wins + first.losses + first.ties)
    assert first.wins.sum() == first.losses.sum()
    assert first.order().tolist() == np.argsort(-first.ratings, kind="stable").tolist()


def test_rank_intervals_separate_clear_gaps_and_overlap_close_ones() -> None:
    truth = np.array([1300.0, 1100, 1095, 900])
    board = leaderboard(simulate(np.random.default_rng(2), truth, 0.4, 6000), rounds=300,
                        rng=np.random.default_rng(3))
    assert board.rank[0] == 1 and board.rank_low[0] == board.rank_high[0] == 1
    assert board.rank_low[3] == board.rank_high[3] == 4
    assert board.rank_low[1] == board.rank_low[2] == 2
    assert board.rank_high[1] == board.rank_high[2] == 3
    assert np.all(board.rank_low <= board.rank) and np.all(board.rank <= board.rank_high)


def test_without_rounds_there_are_no_intervals() -> None:
    battles = simulate(np.random.default_rng(4), np.array([950.0, 1050]), 0.3, 50)
    board = leaderboard(battles, rounds=0, rng=np.random.default_rng(0))
    assert board.bootstrap is None and np.isnan(board.ci_low).all()
    np.testing.assert_array_equal(board.rank_low, board.rank)
    np.testing.assert_allclose(board.ratings, bradley_terry(battles).ratings)


def test_a_round_that_cannot_converge_is_reported() -> None:
    """Without a prior, a resample where model 0 never loses has no finite estimate."""
    counts = PairCounts(np.array([0, 1]), np.array([1, 2]), np.array([5.0, 3.0]),
                        np.array([1.0, 3.0]), np.array([0.0, 1.0]), 3)
    fit = bradley_terry(counts, prior_sd=None)
    boot = bootstrap_bradley_terry(counts, fit, rounds=200, rng=np.random.default_rng(0),
                                   prior_sd=None, max_iter=30)
    assert 0 < (~boot.converged).sum() < 200
    assert np.all(boot.iterations[~boot.converged] == 30)
    assert bootstrap_bradley_terry(counts, bradley_terry(counts), rounds=200,
                                   rng=np.random.default_rng(0)).converged.all()


def test_it_refuses_bad_input() -> None:
    battles = Battles([0, 1], [1, 2], [0, 2], 3)
    with pytest.raises(InvalidParameterError):
        leaderboard(battles, rounds=-1, rng=np.random.default_rng(0))
    for level in (0.0, 1.0, float("nan")):
        with pytest.raises(InvalidParameterError):
            leaderboard(battles, level=level, rng=np.random.default_rng(0))
    with pytest.raises(DisconnectedComparisonsError):
        leaderboard(Battles([0, 2], [1, 3], [0, 1], 4), rng=np.random.default_rng(0))
    counts = count_battles(battles)
    halves = PairCounts(counts.first, counts.second, counts.first_wins + 0.5,
                        counts.second_wins, counts.ties, 3)
    with pytest.raises(InvalidParameterError, match="whole battle counts"):
        bootstrap_bradley_terry(halves, bradley_terry(halves), rounds=10,
                                rng=np.random.default_rng(0))
