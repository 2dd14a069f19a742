"""Inter-annotator agreement: percent agreement, Cohen's and Fleiss' kappa, Krippendorff's
alpha. All take integer-coded labels; none mutates its input."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import Answers
from assay.algorithms.errors import (
    InvalidParameterError,
    LabelOutOfRangeError,
    LengthMismatchError,
    NoAnswersError,
    UndefinedStatisticError,
)
from assay.algorithms.incidence import vote_counts
from assay.algorithms.results import FloatArray

Level = Literal["nominal", "ordinal", "interval", "ratio"]

__all__ = ["cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "percent_agreement"]


def _pairable_counts(answers: Answers) -> FloatArray:
    """Per-task class counts, only for tasks with at least two answers."""
    counts = vote_counts(answers)
    counts = counts[counts.sum(axis=1) >= 2]
    if counts.shape[0] == 0:
        raise NoAnswersError("agreement needs at least one task with two or more answers")
    return counts


def percent_agreement(answers: Answers) -> float:
    """Mean, over tasks with two or more answers, of the share of answer pairs that agree.

    ``P_t = sum_k c_tk (c_tk - 1) / (n_t (n_t - 1))``, averaged over tasks.

    >>> percent_agreement(Answers([0, 0, 0, 1, 1], [0, 1, 2, 0, 1], [1, 1, 0, 0, 0], 2, 3, 2))
    0.6666666666666666
    """
    counts = _pairable_counts(answers)
    n = counts.sum(axis=1)
    return float(np.mean((counts * (counts - 1)).sum(axis=1) / (n * (n - 1))))


def fleiss_kappa(answers: Answers) -> float:
    """Fleiss' kappa: agreement among many raters, corrected for chance.

    ``kappa = (P - P_e) / (1 - P_e)`` with ``P`` the mean per-task pairwise agreement (as in
    :func:`percent_agreement`) and ``P_e = sum_k p_k^2``, ``p_k`` the share of all answers in
    class ``k``. Tasks with fewer than two answers are left out; tasks may have different
    numbers of answers (each task weighs the same in ``P``).

    References
    ----------
    J. L. Fleiss, "Measuring nominal scale agreement among many raters", Psychological
    Bulletin 76(5):378-382, 1971.
    """
    counts = _pairable_counts(answers)
    n = counts.sum(axis=1)
    observed = float(np.mean((counts * (counts - 1)).sum(axis=1) / (n * (n - 1))))
    shares = counts.sum(axis=0) / counts.sum()
    chance = float(shares @ shares)
    if chance >= 1.0:
        raise UndefinedStatisticError("every answer has the same label: kappa is undefined")
    return (observed - chance) / (1.0 - chance)


def cohen_kappa(
    first: npt.ArrayLike,
    second: npt.ArrayLike,
    n_classes: int | None = None,
    *,
    weights: Literal["linear", "quadratic"] | None = None,
) -> float:
    """Cohen's kappa between two raters who labelled the same items.

    ``kappa = 1 - sum(w * O) / sum(w * E)`` with ``O`` the observed joint distribution of the
    two raters' labels, ``E`` the product of their marginals and ``w`` the disagreement weight
    (``[i != j]``, ``|i - j|`` or ``(i - j)^2``). Unweighted this is ``(p_o - p_e) / (1 - p_e)``.

    Parameters
    ----------
    first, second : (n_items,) int arrays
        Label codes of the two raters, item by item.
    n_classes : int, optional
        Number of classes (default: one more than the largest code).
    weights : {None, "linear", "quadratic"}
        Disagreement weights for ordered classes.

    References
    ----------
    J. Cohen, "A coefficient of agreement for nominal scales", Educational and Psychological
    Measurement 20(1):37-46, 1960; weighted: J. Cohen, Psychological Bulletin 70(4), 1968.

    >>> cohen_kappa([0, 1, 1, 0], [0, 1, 0, 0])
    0.5
    """
    a = np.asarray(first)
    b = np.asarray(second)
    if a.ndim != 1 or a.shape != b.shape:
        raise LengthMismatchError("the two raters must label the same number of items")
    if a.size == 0:
        raise NoAnswersError("there are no items to compare")
    if not (np.issubdtype(a.dtype, np.integer) and np.issubdtype(b.dtype, np.integer)):
        raise LabelOutOfRangeError("labels must be integer codes")
    k = int(max(a.max(), b.max())) + 1 if n_classes is None else n_classes
    if min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= k:
        raise LabelOutOfRangeError(f"labels must lie in 0..{k - 1}")
    if weights not in (None, "linear", "quadratic"):
        raise InvalidParameterError(f"unknown weights {weights!r}")
    observed = np.bincount(a * k + b, minlength=k * k).reshape(k, k) / a.size
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    grid = np.subtract.outer(np.arange(k), np.arange(k)).astype(np.float64)
    disagreement = {
        None: (grid != 0).astype(np.float64), "linear": np.abs(grid), "quadratic": grid**2
    }[weights]
    chance = float((disagreement * expected).sum())
    if chance <= 0:
        raise UndefinedStatisticError("both raters use one and the same label: kappa undefined")
    return 1.0 - float((disagreement * observed).sum()) / chance


def krippendorff_alpha(
    answers: Answers,
    level: Level = "nominal",
    *,
    values: npt.ArrayLike | None = None,
) -> float:
    """Krippendorff's alpha for any number of raters, missing answers allowed.

    Builds the coincidence matrix ``o[c, k] = sum_u (pairs of answers (c, k) in unit u) /
    (m_u - 1)`` over units (tasks) with ``m_u >= 2`` answers, with ``n_c = sum_k o[c, k]``
    and ``n = sum_c n_c``, then ``alpha = 1 - D_o / D_e`` where
    ``D_o = sum o[c, k] d(c, k) / n`` and ``D_e = sum n_c n_k d(c, k) / (n (n - 1))``.

    The distance ``d`` depends on ``level``: nominal ``[c != k]``; ordinal
    ``(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2`` (class codes give the order); interval
    ``(v_c - v_k)^2``; ratio ``((v_c - v_k) / (v_c + v_k))^2``, with ``v = values``
    (default: the class codes ``0 .. K - 1``).

    References
    ----------
    K. Krippendorff, "Computing Krippendorff's alpha-reliability", University of
    Pennsylvania, 2011; K. Krippendorff, Content Analysis, 4th ed., Sage, 2018.

    >>> krippendorff_alpha(Answers([0, 0, 1, 1], [0, 1, 0, 1], [0, 0, 1, 1], 2, 2, 2))
    1.0
    """
    counts = _pairable_counts(answers)
    k = answers.n_classes
    per_unit = counts.sum(axis=1)
    weighted = counts / (per_unit - 1)[:, None]
    coincidence = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = float(n_c.sum())
    codes = np.arange(k)
    if level == "nominal":
        distance = (codes[:, None] != codes[None, :]).astype(np.float64)
    elif level == "ordinal":
        cumulative = np.concatenate(([0.0], np.cumsum(n_c)))
        low = np.minimum.outer(codes, codes)
        high = np.maximum.outer(codes, codes)
        between = cumulative[high + 1] - cumulative[low]
        distance = (between - (n_c[:, None] + n_c[None, :]) / 2) ** 2
    elif level in ("interval", "ratio"):
        scale = codes.astype(np.float64) if values is None else np.asarray(values, np.float64)
        if scale.shape != (k,) or not np.all(np.isfinite(scale)):
            raise LengthMismatchError(f"values must hold {k} finite numbers, one per class")
        difference = np.subtract.outer(scale, scale)
        if level == "interval":
            distance = difference**2
        else:
            total = np.add.outer(scale, scale)
            distance = np.divide(
                difference, total, out=np.zeros_like(difference), where=total != 0
            ) ** 2
    else:
        raise InvalidParameterError(f"unknown level {level!r}")
    expected = float((np.outer(n_c, n_c) * distance).sum()) / (n * (n - 1))
    if expected <= 0:
        raise UndefinedStatisticError("no variation in the answers: alpha is undefined")
    observed = float((coincidence * distance).sum()) / n
    return 1.0 - observed / expected
