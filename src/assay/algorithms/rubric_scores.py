"""Mean rubric scores per group with 95% intervals: the ``ratings`` of a leaderboard.

An evaluation with rubric rating has people score each model's reply to a prompt on an
integer scale, overall or on several criteria. For one model and one criterion the
observations are the scores its replies got, one per prompt (a reply's score is the
median of its raters', the ``rate`` kind's result), and prompts are drawn independently:
the mean's interval is Student's t,

    mean ± t_{(1 + level) / 2, n - 1} · s / √n,

with ``s`` the sample standard deviation (Student 1908). It is clipped to the scale, since
no mean can leave it. A group with a single observation has no interval (``nan``). A
group whose scores all agree gets an interval of zero width: the data show no spread, and
the interval says no more than the data do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.errors import AlgorithmInputError, InvalidParameterError

__all__ = ["GroupMeans", "group_means", "weighted_overall"]


@dataclass(frozen=True)
class GroupMeans:
    """Per group ``g``: ``mean[g]``, ``ci_low[g]``, ``ci_high[g]`` (``nan`` when undefined)
    and ``n[g]`` observations; ``level`` is the intervals' coverage."""

    mean: npt.NDArray[np.float64]
    ci_low: npt.NDArray[np.float64]
    ci_high: npt.NDArray[np.float64]
    n: npt.NDArray[np.int64]
    level: float


def group_means(scores: npt.ArrayLike, groups: npt.ArrayLike, n_groups: int, *,
                level: float = 0.95, low: float | None = None,
                high: float | None = None) -> GroupMeans:
    """The mean of ``scores`` in each group with a Student-t interval, clipped to
    ``[low, high]`` when given.

    Parameters
    ----------
    scores : float array (m,), the observations (not modified).
    groups : int array (m,), each observation's group in ``0..n_groups-1``.
    n_groups : int, how many groups (a group without observations gets ``nan`` and 0).
    level : float in (0, 1), the intervals' coverage.

    Examples
    --------
    >>> found = group_means([1, 2, 3, 5], [0, 0, 0, 1], 2, low=1, high=5)
    >>> float(found.mean[0]), [round(float(v), 4) for v in (found.ci_low[0], found.ci_high[0])]
    (2.0, [1.0, 4.4841])
    >>> float(found.mean[1]), bool(np.isnan(found.ci_low[1])), int(found.n[1])
    (5.0, True, 1)
    """
    if not 0 < level < 1:
        raise InvalidParameterError(f"level must be in (0, 1), got {level}")
    x = np.asarray(scores, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    if x.ndim != 1 or x.shape != g.shape:
        raise AlgorithmInputError("scores and groups must be 1-D arrays of the same length")
    if x.size and (g.min() < 0 or g.max() >= n_groups):
        raise AlgorithmInputError(f"groups must be in 0..{n_groups - 1}")
    if not np.all(np.isfinite(x)):
        raise AlgorithmInputError("scores must be finite numbers")
    n = np.bincount(g, minlength=n_groups).astype(np.int64)
    total = np.bincount(g, weights=x, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        squares = np.bincount(g, weights=(x - mean[g]) ** 2, minlength=n_groups)
        sd = np.sqrt(squares / (n - 1))
    from scipy.stats import t as student_t  # lazy: scipy is slow to import

    quantile = np.full(n_groups, np.nan)
    many = n >= 2
    quantile[many] = student_t.ppf((1 + level) / 2, n[many] - 1)
    half = quantile * sd / np.sqrt(np.maximum(n, 1))
    ci_low, ci_high = mean - half, mean + half
    if low is not None:
        ci_low = np.where(np.isnan(ci_low), ci_low, np.maximum(ci_low, low))
    if high is not None:
        ci_high = np.where(np.isnan(ci_high), ci_high, np.minimum(ci_high, high))
    return GroupMeans(mean, ci_low, ci_high, n, level)


def weighted_overall(scores: npt.ArrayLike, weights: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Each row's weighted mean over its criteria: ``scores`` is (m, k), ``weights`` (k,)
    positive; a row's missing scores (``nan``) are left out of its mean (``nan`` when every
    score is missing).

    >>> weighted_overall([[4, 2], [5, np.nan]], [3, 1]).tolist()
    [3.5, 5.0]
    """
    s = np.asarray(scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if s.ndim != 2 or w.shape != (s.shape[1],):
        raise AlgorithmInputError("scores must be (rows, criteria) and weights (criteria,)")
    if np.any(w <= 0):
        raise InvalidParameterError("weights must be > 0")
    present = ~np.isnan(s)
    used = present * w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(present, s, 0.0) @ w / used.sum(axis=1), dtype=np.float64)
