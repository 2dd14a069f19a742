"""A leaderboard: Bradley-Terry-Davidson ratings with bootstrap intervals and rank intervals.

The bootstrap resamples battles, not rows: the battles fall into at most three cells per
pair of models (the first won, the second won, a tie), and drawing ``N`` battles with
replacement is one multinomial draw of ``N`` over those cells with probabilities equal to
their shares. A round's counts are refitted from the point estimate (warm start), all rounds
of a chunk at once (:func:`~assay.algorithms.davidson_newton.fit_pair_counts`). The interval
is the percentile interval of each model's rating over the rounds, and a model's rank
interval the same percentiles of its rank (1 = best) over the rounds (Efron & Tibshirani
1993, ch. 13). An interval is widened, where needed, to hold the point estimate: with very
few battles the bootstrap distribution can sit to one side of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import IntArray
from assay.algorithms.battles import Battles, PairCounts, count_battles
from assay.algorithms.bradley_terry import (
    DEFAULT_PRIOR_SD,
    BradleyTerryResult,
    bradley_terry,
    check_fit_parameters,
    prior_precision,
)
from assay.algorithms.davidson_newton import SCALE, fit_pair_counts
from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.results import FloatArray

__all__ = ["BootstrapResult", "Leaderboard", "bootstrap_bradley_terry", "leaderboard", "ranks"]

# Rounds fitted together are bounded so that their Hessians stay near 32 MB.
CHUNK_CELLS = 4_000_000


@dataclass(frozen=True, eq=False, kw_only=True)
class BootstrapResult:
    """Refits of resampled battles: ``ratings`` (rounds, n_models) on the Elo scale, and per
    round the Newton ``iterations`` and whether it ``converged``."""

    ratings: FloatArray
    iterations: IntArray
    converged: npt.NDArray[np.bool_]

    @property
    def rounds(self) -> int:
        return int(self.ratings.shape[0])


@dataclass(frozen=True, eq=False, kw_only=True)
class Leaderboard:
    """Every model's rating, interval, rank and counts, indexed by model code.

    ``ci_low``/``ci_high`` are NaN and ``rank_low``/``rank_high`` equal ``rank`` when no
    bootstrap round was run. ``rank`` is 1 plus the number of models rated strictly higher.
    """

    ratings: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    rank: IntArray
    rank_low: IntArray
    rank_high: IntArray
    battles: IntArray
    wins: IntArray
    losses: IntArray
    ties: IntArray
    level: float
    fit: BradleyTerryResult
    bootstrap: BootstrapResult | None

    @property
    def converged(self) -> bool:
        """Whether the fit and every bootstrap round converged."""
        rounds_ok = self.bootstrap is None or bool(self.bootstrap.converged.all())
        return self.fit.converged and rounds_ok

    def order(self) -> IntArray:
        """Model codes best first (highest rating; equal ratings by code)."""
        return np.lexsort((np.arange(self.ratings.size), -self.ratings)).astype(np.int64)


def bootstrap_bradley_terry(
    counts: PairCounts,
    fit: BradleyTerryResult,
    *,
    rounds: int,
    rng: np.random.Generator,
    prior_sd: float | None = DEFAULT_PRIOR_SD,
    max_iter: int = 100,
    tol: float = 1e-4,
) -> BootstrapResult:
    """Refit ``rounds`` resamples of the battles, warm-started at ``fit``.

    Every round draws as many battles as there are, with replacement, as one multinomial
    draw over the (pair, outcome) cells. A round whose resample leaves a model unbeaten has
    no finite estimate without a prior: it then stops at ``max_iter``, not converged.
    """
    if rounds < 1:
        raise InvalidParameterError(f"rounds must be >= 1, got {rounds}")
    check_fit_parameters(max_iter, tol)
    precision = prior_precision(prior_sd)
    cells = np.concatenate([counts.first_wins, counts.second_wins, counts.ties])
    total = float(cells.sum())
    if total != round(total) or np.any(cells != np.rint(cells)):
        raise InvalidParameterError("bootstrap needs whole battle counts")
    observed = np.flatnonzero(cells)
    shares = cells[observed] / total
    p, n = counts.first.size, counts.n_models
    chunk = max(1, CHUNK_CELLS // max((n + 1) * (n + 1), 3 * p))
    start = (fit.ratings - fit.ratings.mean()) / SCALE
    parts = []
    for begin in range(0, rounds, chunk):
        size = min(chunk, rounds - begin)
        drawn = np.zeros((size, 3 * p))
        drawn[:, observed] = rng.multinomial(int(total), shares, size=size)
        parts.append(fit_pair_counts(
            counts, drawn[:, :p], drawn[:, p:2 * p], drawn[:, 2 * p:], precision=precision,
            max_iter=max_iter, tol=tol, start=start, start_tie_strength=fit.tie_strength))
    return BootstrapResult(
        ratings=np.concatenate([part.ratings for part in parts]),
        iterations=np.concatenate([part.iterations for part in parts]),
        converged=np.concatenate([part.converged for part in parts]),
    )


def ranks(ratings: FloatArray) -> IntArray:
    """1 plus the number of models rated strictly higher, along the last axis (ratings
    within 1e-9 Elo points count as equal).

    >>> ranks(np.array([1010.0, 990.0, 1010.0, 1000.0])).tolist()
    [1, 4, 1, 3]
    """
    order = np.sort(ratings, axis=-1)
    above = order.shape[-1] - np.stack(
        [np.searchsorted(row, values + 1e-9, side="left")
         for row, values in zip(order.reshape(-1, order.shape[-1]),
                                ratings.reshape(-1, ratings.shape[-1]), strict=True)])
    return (1 + above).reshape(ratings.shape).astype(np.int64)


def leaderboard(
    battles: Battles | PairCounts,
    *,
    rounds: int = 1000,
    rng: np.random.Generator,
    level: float = 0.95,
    prior_sd: float | None = DEFAULT_PRIOR_SD,
    max_iter: int = 100,
    tol: float = 1e-4,
) -> Leaderboard:
    """Ratings, ``level`` bootstrap intervals and rank intervals for every model.

    Parameters
    ----------
    battles : Battles or PairCounts
    rounds : int
        Bootstrap rounds (0 for none: no intervals).
    rng : numpy.random.Generator
        The source of the resamples.
    level : float
        Coverage of the intervals, in (0, 1).
    prior_sd, max_iter, tol
        As for :func:`~assay.algorithms.bradley_terry.bradley_terry`.

    Examples
    --------
    >>> battles = Battles([0, 0, 0, 1, 1, 2], [1, 2, 1, 2, 0, 0], [0, 0, 2, 0, 1, 3], 3)
    >>> board = leaderboard(battles, rounds=200, rng=np.random.default_rng(0))
    >>> board.order().tolist(), board.rank.tolist(), board.battles.tolist()
    ([0, 1, 2], [1, 2, 3], [5, 4, 3])
    >>> bool(np.all(board.ci_low <= board.ratings) and np.all(board.ratings <= board.ci_high))
    True
    """
    counts = battles if isinstance(battles, PairCounts) else count_battles(battles)
    if rounds < 0:
        raise InvalidParameterError(f"rounds must be >= 0, got {rounds}")
    if not (math.isfinite(level) and 0 < level < 1):
        raise InvalidParameterError(f"level must lie in (0, 1), got {level!r}")
    fit = bradley_terry(counts, prior_sd=prior_sd, max_iter=max_iter, tol=tol)
    wins, losses, ties = counts.per_model()
    rank = ranks(fit.ratings)
    if rounds == 0:
        nan = np.full(fit.ratings.shape, np.nan)
        return Leaderboard(
            ratings=fit.ratings, ci_low=nan, ci_high=nan.copy(), rank=rank,
            rank_low=rank.copy(), rank_high=rank.copy(), battles=wins + losses + ties,
            wins=wins, losses=losses, ties=ties, level=level, fit=fit, bootstrap=None)
    boot = bootstrap_bradley_terry(counts, fit, rounds=rounds, rng=rng, prior_sd=prior_sd,
                                   max_iter=max_iter, tol=tol)
    tail = (1 - level) / 2
    low, high = np.quantile(boot.ratings, [tail, 1 - tail], axis=0)
    round_ranks = ranks(boot.ratings)
    rank_low = np.quantile(round_ranks, tail, axis=0, method="lower").astype(np.int64)
    rank_high = np.quantile(round_ranks, 1 - tail, axis=0, method="higher").astype(np.int64)
    return Leaderboard(
        ratings=fit.ratings, ci_low=np.minimum(low, fit.ratings),
        ci_high=np.maximum(high, fit.ratings), rank=rank, rank_low=np.minimum(rank_low, rank),
        rank_high=np.maximum(rank_high, rank), battles=wins + losses + ties, wins=wins,
        losses=losses, ties=ties, level=level, fit=fit, bootstrap=boot)
