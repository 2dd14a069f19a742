"""Bradley-Terry ratings with Davidson ties, fitted by Newton's method on counts per pair.

Model (Bradley & Terry 1952, ties after Davidson 1970): model ``i`` has a strength
``π_i = 10 ** (rating_i / 400)`` and a battle between ``i`` and ``j`` ends

    P(i wins) : P(j wins) : P(tie) = π_i : π_j : nu·√(π_i·π_j)

with one tie strength ``nu >= 0`` shared by every pair. ``both_bad`` counts as a tie. With
``θ = ln π`` and ``d = θ_i - θ_j`` the log-likelihood of a pair's counts is

    (W_i - W_j)·d/2 + T·ln nu - N·ln(2·cosh(d/2) + nu)

which is concave in ``(θ, ln nu)`` (a log-sum-exp of linear forms, negated). Newton's method
on it, with a backtracking line search, converges in a handful of steps from all-equal
ratings (:mod:`~assay.algorithms.davidson_newton`). Many fits with the same pairs (bootstrap
rounds) are solved together, as a stack of small linear systems, so a thousand rounds cost
about as much as a few dozen single fits.

Ratings are put on the Elo scale with mean 1000. A weak Gaussian prior, ``rating ~ N(1000,
prior_sd²)`` (1000 Elo points by default: worth about a tenth of one battle against an equal
model), keeps every rating finite when a model never lost or never won, which small
evaluations and bootstrap resamples often produce; ``prior_sd=None`` gives the plain maximum
likelihood estimate, which then requires the "beat or tied" graph to be strongly connected.
Without ties ``nu`` is 0 (plain Bradley-Terry); without a decisive battle it is infinite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from assay.algorithms.battles import (
    Battles,
    PairCounts,
    comparison_components,
    count_battles,
    require_connected,
)
from assay.algorithms.davidson_newton import MEAN_RATING, SCALE, fit_pair_counts
from assay.algorithms.errors import InvalidParameterError, UnboundedRatingsError
from assay.algorithms.results import FloatArray

DEFAULT_PRIOR_SD = 1000.0
"""The prior's standard deviation on ratings, in Elo points (see the module docstring)."""

__all__ = [
    "DEFAULT_PRIOR_SD", "MEAN_RATING", "SCALE", "BradleyTerryResult", "bradley_terry",
    "check_fit_parameters", "prior_precision",
]


@dataclass(frozen=True, eq=False, kw_only=True)
class BradleyTerryResult:
    """A Bradley-Terry-Davidson fit.

    Attributes
    ----------
    ratings : (n_models,) float array
        Elo-scale ratings, mean 1000: a 400-point lead means 10:1 odds of a win.
    tie_strength : float
        Davidson's ``nu``: 0 when there was no tie, ``inf`` when every battle was a tie.
    iterations : int
        Newton steps taken.
    converged : bool
        Whether the largest step fell below ``tol`` Elo points before ``max_iter``.
    log_likelihood : float
        The log-likelihood of the counts, less the prior's penalty.
    """

    ratings: FloatArray
    tie_strength: float
    iterations: int
    converged: bool
    log_likelihood: float
    method: str = "bradley_terry_davidson"

    def probabilities(self, i: int, j: int) -> tuple[float, float, float]:
        """``(P(i wins), P(j wins), P(tie))`` for a battle between models ``i`` and ``j``."""
        d = (self.ratings[i] - self.ratings[j]) / SCALE
        if math.isinf(self.tie_strength):
            return 0.0, 0.0, 1.0
        weights = [math.exp(d / 2), math.exp(-d / 2), self.tie_strength]
        total = sum(weights)
        return weights[0] / total, weights[1] / total, weights[2] / total


def prior_precision(prior_sd: float | None) -> float:
    """The prior's precision on natural-log strengths (0 for no prior)."""
    if prior_sd is None:
        return 0.0
    if not math.isfinite(prior_sd) or prior_sd <= 0:
        raise InvalidParameterError(f"prior_sd must be finite and > 0, got {prior_sd!r}")
    return float((SCALE / prior_sd) ** 2)


def check_fit_parameters(max_iter: int, tol: float) -> None:
    if max_iter < 1:
        raise InvalidParameterError(f"max_iter must be >= 1, got {max_iter}")
    if not math.isfinite(tol) or tol <= 0:
        raise InvalidParameterError(f"tol must be finite and > 0, got {tol!r}")


def bradley_terry(
    battles: Battles | PairCounts,
    *,
    prior_sd: float | None = DEFAULT_PRIOR_SD,
    max_iter: int = 100,
    tol: float = 1e-4,
) -> BradleyTerryResult:
    """Fit Bradley-Terry ratings with Davidson ties by (penalised) maximum likelihood.

    Parameters
    ----------
    battles : Battles or PairCounts
        The battles, or their counts per pair (:func:`~assay.algorithms.battles.count_battles`).
    prior_sd : float or None
        Standard deviation, in Elo points, of the Gaussian prior on ratings around 1000;
        ``None`` for plain maximum likelihood.
    max_iter : int
        Newton step limit.
    tol : float
        Stop when no rating (nor ``ln nu``, in the same units) moves by ``tol`` Elo points.
        Newton converges quadratically, so the ratings are then far closer than ``tol`` to
        the optimum (the step after one of 1e-4 points would be below 1e-9).

    Raises
    ------
    DisconnectedComparisonsError
        Some models are not linked to the others by any chain of battles.
    UnboundedRatingsError
        ``prior_sd=None`` and some group of models never lost (or never won) against the rest.

    References
    ----------
    R. A. Bradley and M. E. Terry, "Rank analysis of incomplete block designs: I. The method
    of paired comparisons", Biometrika 39(3/4):324-345, 1952. R. R. Davidson, "On extending
    the Bradley-Terry model to accommodate ties in paired comparison experiments", JASA
    65(329):317-328, 1970. L. R. Ford, "Solution of a ranking problem from binary
    comparisons", American Mathematical Monthly 64(8):28-33, 1957 (when the estimate exists).

    Examples
    --------
    Four wins, one loss and two ties: the odds of a win are 4:1, so the gap is
    ``400·log10(4)`` Elo points, and ``nu = 2 / √(4·1)``.

    >>> battles = Battles([0] * 7, [1] * 7, [0, 0, 0, 0, 1, 2, 3], 2)
    >>> fit = bradley_terry(battles, prior_sd=None)
    >>> fit.ratings.round(2).tolist(), round(fit.tie_strength, 6), fit.converged
    ([1120.41, 879.59], 1.0, True)
    """
    counts = battles if isinstance(battles, PairCounts) else count_battles(battles)
    check_fit_parameters(max_iter, tol)
    precision = prior_precision(prior_sd)
    require_connected(counts)
    if precision == 0.0:
        groups = comparison_components(counts, strong=True)
        if len(groups) > 1:
            shown = "; ".join("{" + ", ".join(map(str, g)) + "}" for g in groups[:5])
            raise UnboundedRatingsError(
                "without a prior the ratings are infinite: some models never lost (or never "
                f"won) against the rest; groups: {shown}", groups)
    fit = fit_pair_counts(counts, counts.first_wins[None], counts.second_wins[None],
                          counts.ties[None], precision=precision, max_iter=max_iter, tol=tol)
    return BradleyTerryResult(
        ratings=fit.ratings[0], tie_strength=float(fit.tie_strength[0]),
        iterations=int(fit.iterations[0]), converged=bool(fit.converged[0]),
        log_likelihood=float(fit.log_likelihood[0]),
    )
