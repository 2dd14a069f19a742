"""Simple aggregation rules: plurality vote and median with its spread.

These are the interim rules the task kinds use until the quality engine weighs each worker's
reliability. Both are pure functions over integer-coded or numeric arrays; neither mutates its
input, and both check their preconditions (at least one answer, codes in range).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike


class Plurality(NamedTuple):
    """The outcome of a plurality vote.

    Attributes
    ----------
    winner : int
        The winning class code.
    votes : int
        How many votes the winner received.
    share : float
        ``votes / n_votes``, in ``(0, 1]``.
    """

    winner: int
    votes: int
    share: float


class MedianSpread(NamedTuple):
    """A median and the mean absolute deviation of the values around it.

    Attributes
    ----------
    median : float
        The sample median (the mean of the two middle values when their number is even).
    mad : float
        The mean absolute deviation from the median, ``mean(|x - median|)``.
    """

    median: float
    mad: float


def plurality_vote(codes: ArrayLike, n_classes: int) -> Plurality:
    """Return the most frequent class code, breaking ties towards the smallest code.

    Parameters
    ----------
    codes : array_like of int, shape (n_votes,)
        One class code per vote, each in ``[0, n_classes)``.
    n_classes : int
        The number of classes. Callers encode their classes in a canonical order, so the
        tie-break (smallest code wins) is deterministic and does not depend on vote order.

    Returns
    -------
    Plurality
        ``(winner, votes, share)``, where ``share = votes / n_votes``.

    Raises
    ------
    ValueError
        If there are no votes, or a code is out of range.

    Examples
    --------
    >>> plurality_vote([2, 0, 2, 1], n_classes=3)
    Plurality(winner=2, votes=2, share=0.5)
    >>> plurality_vote([1, 0], n_classes=2).winner  # a tie goes to the smallest code
    0
    """
    arr = np.asarray(codes, dtype=np.int64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("plurality_vote needs a non-empty one-dimensional array of codes")
    if n_classes < 1 or arr.min() < 0 or arr.max() >= n_classes:
        raise ValueError(f"codes must lie in [0, {n_classes})")
    counts = np.bincount(arr, minlength=n_classes)
    winner = int(np.argmax(counts))  # argmax returns the first maximum: the smallest code
    count = int(counts[winner])
    return Plurality(winner=winner, votes=count, share=count / arr.size)


def median_spread(values: ArrayLike) -> MedianSpread:
    """Return the median of the values and their mean absolute deviation from it.

    Parameters
    ----------
    values : array_like of float, shape (n,)
        Finite numbers, at least one.

    Returns
    -------
    MedianSpread
        ``(median, mad)`` with ``mad = mean(|x - median|)``. Since the median minimises the
        mean absolute deviation, ``mad <= (max(x) - min(x)) / 2``.

    Raises
    ------
    ValueError
        If there are no values or one is not finite.

    Examples
    --------
    >>> median_spread([1, 5, 4, 4])
    MedianSpread(median=4.0, mad=1.0)
    >>> median_spread([3, 4]).median
    3.5
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("median_spread needs a non-empty one-dimensional array of values")
    if not np.all(np.isfinite(arr)):
        raise ValueError("values must be finite")
    median = float(np.median(arr))
    mad = float(np.mean(np.abs(arr - median)))
    return MedianSpread(median=median, mad=mad)
