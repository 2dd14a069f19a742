"""Properties of the Bradley-Terry-Davidson fit and its leaderboard, on random battles."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.algorithms import Battles, bradley_terry, leaderboard

SETTINGS = settings(max_examples=25, deadline=None)


@st.composite
def battle_sets(draw: st.DrawFn) -> Battles:
    """Connected battles: a chain through every model, then random extra battles."""
    n = draw(st.integers(2, 6))
    rows = [(i, i + 1) for i in range(n - 1)]
    rows += draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
                          .filter(lambda pair: pair[0] != pair[1]), max_size=30))
    flips = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    rows = [(b, a) if flip else (a, b) for (a, b), flip in zip(rows, flips, strict=True)]
    outcome = draw(st.lists(st.integers(0, 3), min_size=len(rows), max_size=len(rows)))
    a, b = np.array(rows).T
    return Battles(a, b, outcome, n)


@SETTINGS
@given(battles=battle_sets(), seed=st.integers(0, 2**32 - 1))
def test_the_order_of_the_battles_does_not_matter(battles: Battles, seed: int) -> None:
    order = np.random.default_rng(seed).permutation(battles.n_battles)
    shuffled = Battles(battles.model_a[order], battles.model_b[order], battles.outcome[order],
                       battles.n_models)
    np.testing.assert_allclose(bradley_terry(shuffled).ratings, bradley_terry(battles).ratings,
                               atol=1e-9)


@SETTINGS
@given(battles=battle_sets())
def test_swapping_the_sides_with_the_verdict_mirrored_gives_the_same_fit(
        battles: Battles) -> None:
    mirrored = np.array([1, 0, 2, 3])[battles.outcome]
    swapped = Battles(battles.model_b, battles.model_a, mirrored, battles.n_models)
    fit, other = bradley_terry(battles), bradley_terry(swapped)
    np.testing.assert_allclose(other.ratings, fit.ratings, atol=1e-9)
    assert other.tie_strength == fit.tie_strength or np.isclose(other.tie_strength,
                                                                 fit.tie_strength)


@SETTINGS
@given(battles=battle_sets(), seed=st.integers(0, 2**32 - 1))
def test_renaming_the_models_permutes_the_ratings(battles: Battles, seed: int) -> None:
    names = np.random.default_rng(seed).permutation(battles.n_models)
    renamed = Battles(names[battles.model_a], names[battles.model_b], battles.outcome,
                      battles.n_models)
    np.testing.assert_allclose(bradley_terry(renamed).ratings[names],
                               bradley_terry(battles).ratings, atol=1e-9)


@SETTINGS
@given(battles=battle_sets())
def test_ratings_average_1000(battles: Battles) -> None:
    fit = bradley_terry(battles)
    assert fit.converged
    assert abs(fit.ratings.mean() - 1000) < 1e-9


@SETTINGS
@given(n=st.integers(2, 5), per_pair=st.integers(1, 4), ties=st.integers(1, 3),
       data=st.data())
def test_a_model_that_only_ties_leaves_the_others_order(
        n: int, per_pair: int, ties: int, data: st.DataObject) -> None:
    """In a round robin with the same number of battles per pair, adding a model that ties
    every other model equally often keeps their order (each rating is monotone in its net
    wins, which the ties do not change)."""
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) for _ in range(per_pair)]
    outcome = data.draw(st.lists(st.integers(0, 3), min_size=len(pairs), max_size=len(pairs)))
    a, b = np.array(pairs).T
    before = bradley_terry(Battles(a, b, outcome, n)).ratings
    tier = np.repeat(np.arange(n), ties)
    after = bradley_terry(Battles(np.r_[a, tier], np.r_[b, np.full(tier.size, n)],
                                  np.r_[outcome, np.full(tier.size, 2)], n + 1)).ratings[:n]
    gap = before[:, None] - before[None, :]
    moved = after[:, None] - after[None, :]
    clear = np.abs(gap) > 1e-6
    assert np.all(np.sign(gap[clear]) == np.sign(moved[clear]))
    assert np.all(np.abs(moved[~clear]) < 1e-6)


@settings(max_examples=15, deadline=None)
@given(battles=battle_sets(), seed=st.integers(0, 2**32 - 1))
def test_intervals_hold_the_point_estimate_and_ranks_their_rank(
        battles: Battles, seed: int) -> None:
    board = leaderboard(battles, rounds=40, rng=np.random.default_rng(seed))
    assert np.all(board.ci_low <= board.ratings) and np.all(board.ratings <= board.ci_high)
    assert np.all(board.rank_low <= board.rank) and np.all(board.rank <= board.rank_high)
    assert np.all((board.rank_low >= 1) & (board.rank_high <= battles.n_models))
