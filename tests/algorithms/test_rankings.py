"""Rankings with ties (algorithms/rankings.py) against hand-computed values: Kendall's
tau-b, Kendall's W with the tie correction, and the Bradley-Terry fit of rankings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.rankings import (
    bradley_terry_rankings,
    kendall_tau_b,
    kendall_w,
    positions_from_groups,
)


def test_positions_put_a_group_on_one_rank_and_the_unranked_last() -> None:
    assert positions_from_groups([["c"], ["a", "b"]], ["a", "b", "c", "d"]).tolist() == [
        1.0, 1.0, 0.0, 2.0]


@pytest.mark.parametrize(("x", "y", "tau"), [
    # 2 concordant pairs, the third tied in x only: 2 / sqrt(2 * 3).
    ([0, 1, 1], [0, 1, 2], 2 / math.sqrt(6)),
    # Ties in both: C = 4, D = 0, one pair tied in each of 6: 4 / sqrt(5 * 5).
    ([0, 0, 1, 2], [0, 1, 1, 2], 0.8),
    # No ties, C = 4, D = 2: (4 - 2) / 6.
    ([0, 1, 2, 3], [1, 0, 3, 2], 1 / 3),
    ([0, 1, 2], [2, 1, 0], -1.0),
])
def test_tau_b_by_hand(x: list[int], y: list[int], tau: float) -> None:
    assert kendall_tau_b(x, y) == pytest.approx(tau)
    assert kendall_tau_b(y, x) == pytest.approx(tau)  # symmetric


def test_tau_b_is_undefined_when_one_side_ties_everything() -> None:
    assert math.isnan(kendall_tau_b([0, 0, 0], [0, 1, 2]))
    assert math.isnan(kendall_tau_b([0], [0]))
    with pytest.raises(InvalidParameterError):
        kendall_tau_b([0, 1], [0, 1, 2])


def test_w_without_ties_by_hand() -> None:
    # Rank sums 4, 6, 8 around a mean of 6: S = 8; W = 12 * 8 / (3² * (3³ - 3)).
    w = kendall_w([[0, 1, 2], [0, 2, 1], [1, 0, 2]])
    assert w == pytest.approx(96 / 216)


def test_w_with_the_tie_correction_by_hand() -> None:
    # Mid-ranks [1, 2.5, 2.5] and [1, 2, 3]: sums 2, 4.5, 5.5, S = 6.5; one tie of two
    # gives T = 2³ - 2 = 6: W = 12 * 6.5 / (2² * 24 - 2 * 6) = 78 / 84.
    assert kendall_w([[0, 1, 1], [0, 1, 2]]) == pytest.approx(78 / 84)


def test_w_is_one_for_agreement_zero_for_opposites_and_undefined_when_all_tied() -> None:
    assert kendall_w([[0, 1, 2]] * 4) == pytest.approx(1.0)
    assert kendall_w([[0, 1], [1, 0]]) == pytest.approx(0.0)
    assert math.isnan(kendall_w([[0, 0], [0, 0]]))
    with pytest.raises(InvalidParameterError):
        kendall_w(np.zeros((0, 3)))


def test_two_items_fit_to_their_share_of_wins() -> None:
    # Two items: the MLE gives P(a beats b) = wins of a / games. Three rankings a > b plus
    # the prior's tie (half a win each): 3.5 / 4.
    fit = bradley_terry_rankings([[0, 1]] * 3)
    assert fit.order == [0, 1] and fit.converged
    assert fit.confidence == pytest.approx(0.875)
    # Two of three: 2.5 / 4; a tie counts half to each side.
    assert bradley_terry_rankings([[0, 1], [0, 1], [1, 0]]).confidence == pytest.approx(0.625)
    assert bradley_terry_rankings([[0, 0], [0, 1]]).confidence == pytest.approx(2 / 3)


def test_opposite_rankings_fit_equal_strengths_in_input_order() -> None:
    fit = bradley_terry_rankings([[0, 1, 2], [2, 1, 0]])
    assert fit.strengths.tolist() == [1.0, 1.0, 1.0]
    assert fit.order == [0, 1, 2] and fit.confidence == 0.5


def test_a_clear_order_is_found_and_the_input_is_untouched() -> None:
    rankings = np.array([[2.0, 0.0, 1.0], [2.0, 0.0, 1.0], [2.0, 1.0, 0.0]])
    before = rankings.copy()
    fit = bradley_terry_rankings(rankings)
    assert fit.order == [1, 2, 0]
    assert 0.5 < fit.confidence < 1.0
    assert np.exp(np.mean(np.log(fit.strengths))) == pytest.approx(1.0)
    assert (rankings == before).all()


def test_the_fit_reports_a_stop_short_of_convergence_and_refuses_a_bad_prior() -> None:
    fit = bradley_terry_rankings([[0, 1, 2], [0, 2, 1]], max_iter=1)
    assert fit.iterations == 1 and not fit.converged
    with pytest.raises(InvalidParameterError):
        bradley_terry_rankings([[0, 1]], prior=0)
    single = bradley_terry_rankings([[0]])
    assert single.order == [0] and single.confidence == 1.0
