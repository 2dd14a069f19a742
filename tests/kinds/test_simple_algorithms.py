"""assay.algorithms.simple: plurality vote and median spread."""

import doctest
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.algorithms import simple
from assay.algorithms.simple import median_spread, plurality_vote
from assay.kinds import voting


def test_doctests_pass() -> None:
    assert doctest.testmod(simple).failed == 0
    assert doctest.testmod(voting).failed == 0


def test_plurality_counts_votes_and_share() -> None:
    assert plurality_vote([1, 2, 1, 1], n_classes=3) == (1, 3, 0.75)


def test_plurality_breaks_ties_towards_the_smallest_code() -> None:
    assert plurality_vote([2, 1, 2, 1], n_classes=3).winner == 1


@pytest.mark.parametrize(("codes", "n"), [([], 2), ([0, 2], 2), ([-1], 2), ([[0]], 1), ([0], 0)])
def test_plurality_rejects_bad_input(codes: list[int], n: int) -> None:
    with pytest.raises(ValueError):
        plurality_vote(codes, n_classes=n)


def test_plurality_does_not_mutate_its_input() -> None:
    codes = np.array([2, 0, 2])
    plurality_vote(codes, n_classes=3)
    assert codes.tolist() == [2, 0, 2]


@given(st.lists(st.integers(0, 4), min_size=1), st.randoms(use_true_random=False))
def test_plurality_is_invariant_to_vote_order(codes: list[int], rnd: random.Random) -> None:
    shuffled = list(codes)
    rnd.shuffle(shuffled)
    assert plurality_vote(shuffled, 5) == plurality_vote(codes, 5)


def test_median_spread_even_and_odd() -> None:
    assert median_spread([5, 1, 3]) == (3.0, 4 / 3)
    assert median_spread([1, 2]) == (1.5, 0.5)


@pytest.mark.parametrize("values", [[], [1.0, float("nan")], [float("inf")]])
def test_median_spread_rejects_bad_input(values: list[float]) -> None:
    with pytest.raises(ValueError):
        median_spread(values)


@given(st.lists(st.integers(-50, 50), min_size=1))
def test_mad_is_at_most_half_the_range(values: list[int]) -> None:
    _, mad = median_spread(values)
    assert 0 <= mad <= (max(values) - min(values)) / 2 + 1e-9
