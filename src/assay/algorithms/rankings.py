"""Rankings with ties: agreement between two of them, among many, and one order from many.

A ranking of ``n`` items is given as an array of *rank positions*, lower is better, equal
positions are a tie: the groups ``[[a], [b, c], [d]]`` are ``[0, 1, 1, 2]`` for
``a, b, c, d``. :func:`positions_from_groups` builds it.

- :func:`kendall_tau_b` compares two rankings (Kendall 1945, ties in either):
  ``tau_b = (C - D) / sqrt((n0 - n1) (n0 - n2))`` with ``C``/``D`` the concordant and
  discordant pairs, ``n0 = n (n - 1) / 2`` and ``n1``, ``n2`` the pairs tied in each.
- :func:`kendall_w` is Kendall's coefficient of concordance of ``m`` rankings of the same
  ``n`` items, with the tie correction (Kendall & Babington Smith 1939):
  ``W = 12 S / (m² (n³ - n) - m Σ_j T_j)``, where ``S`` is the sum of squared deviations
  of the items' rank sums from their mean, ranks are mid-ranks from 1, and
  ``T_j = Σ (t³ - t)`` over rater ``j``'s tied groups of size ``t``.
- :func:`bradley_terry_rankings` fits one strength per item from many rankings, by breaking
  each ranking into its pairs (a win for the better item, half a win each for a tie) and
  running the MM algorithm of Hunter (2004) for Bradley-Terry. ``prior`` adds that many
  tied comparisons between every pair of items, so the fit exists whatever the data (one
  worker who ranked ``a`` first gives ``P(a beats b) = 0.75`` with the default prior of 1).
  The confidence of the fitted order is the fitted probability that its first item beats
  its second. :func:`pair_probabilities` gives that probability for every pair,
  ``P(i beats j) = p_i / (p_i + p_j)``.

Nothing here mutates its inputs; convergence is reported in the result.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.results import FloatArray

__all__ = ["RankingFit", "bradley_terry_rankings", "kendall_tau_b", "kendall_w",
           "pair_probabilities", "positions_from_groups"]


def positions_from_groups(groups: Sequence[Sequence[Hashable]],
                          items: Sequence[Hashable]) -> FloatArray:
    """The rank positions of ``items`` under ``groups`` (best first; a group is a tie).

    Items missing from every group share the last position, after all the groups.

    >>> positions_from_groups([["b"], ["a", "c"]], ["a", "b", "c"]).tolist()
    [1.0, 0.0, 1.0]
    """
    where = {item: float(i) for i, group in enumerate(groups) for item in group}
    last = float(len(groups))
    return np.array([where.get(item, last) for item in items], dtype=float)


def _pair_signs(ranks: FloatArray) -> FloatArray:
    """``sign(r_j - r_i)`` for every pair ``i < j``: 0 for a tie."""
    upper = np.triu_indices(len(ranks), k=1)
    return np.sign(ranks[upper[1]] - ranks[upper[0]])


def kendall_tau_b(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Kendall's tau-b between two rankings of the same items (ties allowed).

    Returns ``nan`` when either ranking ties every item (the measure is undefined) or
    when there are fewer than two items.

    >>> kendall_tau_b([0, 1, 2], [0, 1, 2]), kendall_tau_b([0, 1, 2], [2, 1, 0])
    (1.0, -1.0)
    >>> round(kendall_tau_b([0, 1, 1], [0, 1, 2]), 4)
    0.8165
    """
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise InvalidParameterError("the two rankings must rank the same items")
    if len(a) < 2:
        return math.nan
    sa, sb = _pair_signs(a), _pair_signs(b)
    untied_a, untied_b = np.count_nonzero(sa), np.count_nonzero(sb)
    if untied_a == 0 or untied_b == 0:
        return math.nan
    return float(np.sum(sa * sb) / math.sqrt(untied_a * untied_b))


def _mid_ranks(positions: FloatArray) -> FloatArray:
    """Ranks from 1, tied items sharing the mean of the ranks they span."""
    order = np.argsort(positions, kind="stable")
    ranks = np.empty(len(positions))
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and positions[order[j + 1]] == positions[order[i]]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def kendall_w(rankings: npt.ArrayLike) -> float:
    """Kendall's W (with the tie correction) of ``m`` rankings of ``n`` items: a
    ``(m, n)`` array of rank positions, one row per rater. 1 is complete agreement, 0 none.

    Returns ``nan`` for fewer than two items or when every rater ties every item.

    >>> kendall_w([[0, 1, 2], [0, 1, 2]]), kendall_w([[0, 1], [1, 0]])
    (1.0, 0.0)
    """
    table = np.asarray(rankings, dtype=float)
    if table.ndim != 2 or table.shape[0] == 0:
        raise InvalidParameterError("rankings must be a non-empty (raters, items) array")
    m, n = table.shape
    if n < 2:
        return math.nan
    ranks = np.array([_mid_ranks(row) for row in table])
    sums = ranks.sum(axis=0)
    s = float(np.sum((sums - sums.mean()) ** 2))
    ties = 0.0
    for row in table:
        _, counts = np.unique(row, return_counts=True)
        ties += float(np.sum(counts.astype(float) ** 3 - counts))
    denominator = m * m * (n ** 3 - n) - m * ties
    if denominator <= 0:
        return math.nan
    return 12 * s / denominator


@dataclass(frozen=True, eq=False)
class RankingFit:
    """A Bradley-Terry fit of rankings.

    ``strengths`` (geometric mean 1) per item; ``order`` the items' indexes, strongest
    first (ties in strength keep the input order); ``confidence`` the fitted probability
    that ``order[0]`` beats ``order[1]`` (1 for a single item); ``iterations`` and
    ``converged`` say how the MM iteration ended.
    """

    strengths: FloatArray
    order: list[int]
    confidence: float
    iterations: int
    converged: bool


def bradley_terry_rankings(rankings: npt.ArrayLike, *,
                           prior: float = 1.0, max_iter: int = 1000,
                           tol: float = 1e-10) -> RankingFit:
    """Fit Bradley-Terry strengths to ``(m, n)`` rank positions (see the module docstring).

    >>> fit = bradley_terry_rankings([[0, 1]])
    >>> fit.order, round(fit.confidence, 6)
    ([0, 1], 0.75)
    """
    table = np.asarray(rankings, dtype=float)
    if table.ndim != 2 or table.shape[1] == 0:
        raise InvalidParameterError("rankings must be a (raters, items) array with items")
    if prior <= 0:
        raise InvalidParameterError("prior must be > 0 (it keeps the fit finite)")
    n = table.shape[1]
    if n == 1:
        return RankingFit(np.ones(1), [0], 1.0, 0, True)
    # wins[i, j]: how often i beat j (a tie is half a win each), plus the prior's ties.
    wins = np.full((n, n), prior / 2.0)
    for row in table:
        better = row[:, None] < row[None, :]
        tied = row[:, None] == row[None, :]
        wins += better + 0.5 * tied
    np.fill_diagonal(wins, 0.0)
    games = wins + wins.T
    total_wins = wins.sum(axis=1)
    p = np.ones(n)
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (reported in the result)
        denominators = (games / (p[:, None] + p[None, :])).sum(axis=1)
        new = total_wins / denominators
        new /= math.exp(float(np.mean(np.log(new))))
        change = float(np.max(np.abs(np.log(new) - np.log(p))))
        p = new
        if change < tol:
            converged = True
            break
    order = sorted(range(n), key=lambda i: (-p[i], i))
    first, second = p[order[0]], p[order[1]]
    return RankingFit(p, order, float(first / (first + second)), iterations, converged)


def pair_probabilities(fit: RankingFit) -> FloatArray:
    """The fitted probability that item ``i`` beats item ``j``, as an ``(n, n)`` array:
    ``p_i / (p_i + p_j)`` (0.5 on the diagonal). Its log-odds, ``log p_i - log p_j``, is
    the difference of the two items' fitted strengths on the logit scale.

    >>> fit = bradley_terry_rankings([[0, 1, 2], [0, 2, 1]])
    >>> probs = pair_probabilities(fit)
    >>> round(float(probs[0, 1]), 4), round(float(probs[0, 1] + probs[1, 0]), 6)
    (0.8333, 1.0)
    >>> round(float(probs[0, 1]), 6) == round(fit.confidence, 6)
    True
    """
    p = fit.strengths
    return p[:, None] / (p[:, None] + p[None, :])
