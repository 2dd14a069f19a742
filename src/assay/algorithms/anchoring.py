"""Anchoring on suggestions: do workers who are shown a model's pre-label answer differently
from workers who are not?

A project that shows suggestions serves a held-out share of its tasks without them (chosen
by a hash of the task id, so the two groups are random samples of the same tasks). For the
answers of each group this module gives

- the **agreement** with the model's suggestion (for the held-out group, the label that
  would have been suggested): the share of answers equal to it;
- the **accuracy** against a reference label: the share of answers equal to it, counted
  on the answers that have one;

each with a Wilson score interval (Wilson, 1927), and the differences shown - held out
with Newcombe's hybrid score interval (Newcombe, 1998, method 10). The answers of one task
are not independent (they share its suggestion and its truth: when the model is wrong, all
of them tend to disagree with it), so the intervals use an effective number of answers,
``n / deff``, with the design effect ``deff`` of the task clusters (the cluster-robust
variance of the ratio estimator over the simple-random-sampling one, at least 1), as Korn
and Graubard (1998) do for survey proportions. Without it, simulated workers who never copy
had 95% intervals that held the true difference (zero) in only 30 of 40 runs. Anchoring shows as an
agreement difference above zero: workers copying the suggestion agree with it more often
than the same crowd does on comparable tasks where it is hidden. Under a simple model where
a worker copies the suggestion with probability *c* and otherwise answers as usual,
agreement(shown) = *c* + (1 - *c*) · agreement(held out), so
*c* = difference / (1 - agreement(held out)): :attr:`SuggestionEffect.copy_rate`.

:func:`leave_one_out_plurality` gives one reference: the label most of the task's *other*
answers gave (none when they tie or there are none), so an answer is never judged against
itself. Where copying is common it is a biased reference (the others copied too); a
reviewed result, where there is one, is better, and the caller passes it instead.

References: E. B. Wilson, "Probable inference, the law of succession, and statistical
inference", JASA 22 (1927); E. L. Korn and B. I. Graubard, "Confidence intervals for
proportions with small expected number of positive counts estimated from survey data",
Survey Methodology 24 (1998); R. G. Newcombe, "Interval estimation for the difference between
independent proportions: comparison of eleven methods", Statistics in Medicine 17 (1998).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from assay.algorithms.errors import (
    InvalidParameterError,
    LabelOutOfRangeError,
    LengthMismatchError,
)

IntArray = npt.NDArray[np.int64]


def _z(level: float) -> float:
    if not (math.isfinite(level) and 0 < level < 1):
        raise InvalidParameterError("level must lie in (0, 1)")
    return NormalDist().inv_cdf(1 - (1 - level) / 2)


def wilson_interval(hits: float, n: float, level: float = 0.95) -> tuple[float, float] | None:
    """The Wilson score interval of the proportion ``hits / n``; None when ``n`` is 0.
    ``n`` may be an effective (non-integer) number of trials.

    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    """
    if n < 0 or not 0 <= hits <= n:
        raise InvalidParameterError("need 0 <= hits <= n")
    z = _z(level)
    if n == 0:
        return None
    centre = (hits + z * z / 2) / (n + z * z)
    half = z * math.sqrt(hits * (n - hits) / n + z * z / 4) / (n + z * z)
    return max(0.0, centre - half), min(1.0, centre + half)


def difference_interval(hits1: float, n1: float, hits2: float, n2: float,
                        level: float = 0.95) -> tuple[float, float] | None:
    """Newcombe's hybrid score interval of ``hits1/n1 - hits2/n2``; None when either group
    is empty.

    >>> [round(x, 4) for x in difference_interval(56, 70, 48, 80)]
    [0.0524, 0.3339]
    """
    first, second = wilson_interval(hits1, n1, level), wilson_interval(hits2, n2, level)
    if first is None or second is None:
        return None
    p1, p2 = hits1 / n1, hits2 / n2
    (l1, u1), (l2, u2) = first, second
    d = p1 - p2
    return (max(-1.0, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
            min(1.0, d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)))


def effective_size(cluster: IntArray, hit: npt.NDArray[np.bool_]) -> float:
    """``n / deff``: the number of independent answers that would give the proportion of
    ``hit`` the precision these answers, grouped by ``cluster``, give. ``deff`` is the
    cluster-robust variance of the proportion, ``T/(T-1) * sum_t (y_t - p m_t)^2 / n^2``
    over ``T`` clusters of sizes ``m_t`` and hits ``y_t``, divided by ``p (1 - p) / n``, and
    at least 1. A single cluster counts as one answer; a proportion of 0 or 1 keeps ``n``.

    >>> effective_size(np.array([0, 0, 1, 1]), np.array([True, True, False, False]))
    1.0
    >>> effective_size(np.array([0, 0, 1, 1]), np.array([True, False, True, False]))
    4.0
    """
    cluster, hit = np.asarray(cluster, dtype=np.int64), np.asarray(hit, dtype=bool)
    if cluster.shape != hit.shape or cluster.ndim != 1:
        raise LengthMismatchError("cluster and hit must be 1-d arrays of one length")
    n = int(hit.size)
    if n == 0:
        return 0.0
    _, codes = np.unique(cluster, return_inverse=True)
    sizes = np.bincount(codes).astype(np.float64)
    hits = np.bincount(codes, weights=hit.astype(np.float64))
    t = sizes.size
    p = float(hits.sum()) / n
    if t == 1:
        return 1.0
    if p in (0.0, 1.0):
        return float(n)
    clustered = t / (t - 1) * float(((hits - p * sizes) ** 2).sum()) / n**2
    deff = max(1.0, clustered / (p * (1 - p) / n))
    return n / deff


def leave_one_out_plurality(task: IntArray, label: IntArray, n_classes: int) -> IntArray:
    """For each answer, the label given most often by the other answers of its task; -1
    when the others tie for the most or there are none.

    >>> leave_one_out_plurality(np.array([0, 0, 0, 1, 1]), np.array([2, 2, 1, 0, 1]), 3)
    array([-1, -1,  2,  1,  0])
    """
    task, label = np.asarray(task, dtype=np.int64), np.asarray(label, dtype=np.int64)
    if task.shape != label.shape or task.ndim != 1:
        raise LengthMismatchError("task and label must be 1-d arrays of one length")
    if n_classes < 1:
        raise InvalidParameterError("n_classes must be >= 1")
    if task.size == 0:
        return np.zeros(0, dtype=np.int64)
    if task.min() < 0 or label.min() < 0 or label.max() >= n_classes:
        raise LabelOutOfRangeError("task and label codes must lie in 0 .. n - 1")
    counts = np.zeros((int(task.max()) + 1, n_classes), dtype=np.int64)
    np.add.at(counts, (task, label), 1)
    others = counts[task]  # a copy: the task's counts, one row per answer
    others[np.arange(task.size), label] -= 1
    top = others.max(axis=1)
    unique = (others == top[:, None]).sum(axis=1) == 1
    return np.where((top > 0) & unique, others.argmax(axis=1), -1).astype(np.int64)


@dataclass(frozen=True)
class GroupFigures:
    """One group's answers: how many, how many agree with the suggestion, how many have a
    reference and how many of those match it, with the shares, their intervals and the
    effective numbers of answers the intervals use."""

    answers: int
    agreed: int
    agreement: float | None
    agreement_ci: tuple[float, float] | None
    agreement_n: float
    judged: int
    correct: int
    accuracy: float | None
    accuracy_ci: tuple[float, float] | None
    accuracy_n: float


@dataclass(frozen=True)
class SuggestionEffect:
    """Both groups, and the differences shown - held out with their intervals."""

    shown: GroupFigures
    held_out: GroupFigures
    agreement_difference: float | None
    agreement_difference_ci: tuple[float, float] | None
    accuracy_difference: float | None
    accuracy_difference_ci: tuple[float, float] | None
    copy_rate: float | None
    """The share of shown answers explained by copying: difference / (1 - held-out
    agreement); None when undefined."""
    level: float


def _share(cluster: IntArray, hit: npt.NDArray[np.bool_],
           level: float) -> tuple[int, float | None, tuple[float, float] | None, float]:
    n, hits = int(hit.size), int(hit.sum())
    if n == 0:
        return 0, None, None, 0.0
    n_eff = effective_size(cluster, hit)
    return hits, hits / n, wilson_interval(hits / n * n_eff, n_eff, level), n_eff


def _group(task: IntArray, agree: npt.NDArray[np.bool_], judged: npt.NDArray[np.bool_],
           right: npt.NDArray[np.bool_], level: float) -> GroupFigures:
    agreed, agreement, agreement_ci, agreement_n = _share(task, agree, level)
    correct, accuracy, accuracy_ci, accuracy_n = _share(task[judged], right[judged], level)
    return GroupFigures(answers=int(agree.size), agreed=agreed, agreement=agreement,
                        agreement_ci=agreement_ci, agreement_n=agreement_n,
                        judged=int(judged.sum()), correct=correct, accuracy=accuracy,
                        accuracy_ci=accuracy_ci, accuracy_n=accuracy_n)


def suggestion_effect(task: IntArray, label: IntArray, suggested: IntArray,
                      shown: npt.NDArray[np.bool_], reference: IntArray, *,
                      level: float = 0.95) -> SuggestionEffect:
    """Agreement with the suggestion and accuracy against ``reference`` (-1: none) of the
    answers ``label`` to tasks ``task`` whose suggestion ``suggested`` was ``shown`` or held
    back.

    >>> e = suggestion_effect(np.arange(4), np.array([0, 0, 1, 0]), np.array([0, 0, 0, 0]),
    ...                       np.array([True, True, False, False]), np.array([0, 1, 1, -1]))
    >>> e.shown.agreement, e.held_out.agreement, e.agreement_difference, e.copy_rate
    (1.0, 0.5, 0.5, 1.0)
    >>> e.shown.accuracy, e.held_out.accuracy, e.held_out.judged
    (0.5, 1.0, 1)
    """
    arrays = [np.asarray(a) for a in (task, label, suggested, shown, reference)]
    if len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1:
        raise LengthMismatchError("task, label, suggested, shown and reference differ in "
                                  "length")
    _z(level)
    task_, label_, suggested_, reference_ = (arrays[i].astype(np.int64) for i in (0, 1, 2, 4))
    shown_ = arrays[3].astype(bool)
    agree = label_ == suggested_
    judged = reference_ >= 0
    right = label_ == reference_
    a = _group(task_[shown_], agree[shown_], judged[shown_], right[shown_], level)
    b = _group(task_[~shown_], agree[~shown_], judged[~shown_], right[~shown_], level)
    agreement_difference = (a.agreement - b.agreement
                            if a.agreement is not None and b.agreement is not None else None)
    accuracy_difference = (a.accuracy - b.accuracy
                           if a.accuracy is not None and b.accuracy is not None else None)
    copy_rate = None
    if agreement_difference is not None and b.agreement is not None and b.agreement < 1:
        copy_rate = agreement_difference / (1 - b.agreement)
    return SuggestionEffect(
        shown=a, held_out=b, agreement_difference=agreement_difference,
        agreement_difference_ci=_difference(a.agreement, a.agreement_n, b.agreement,
                                            b.agreement_n, level),
        accuracy_difference=accuracy_difference,
        accuracy_difference_ci=_difference(a.accuracy, a.accuracy_n, b.accuracy,
                                           b.accuracy_n, level),
        copy_rate=copy_rate, level=level)


def _difference(p1: float | None, n1: float, p2: float | None, n2: float,
                level: float) -> tuple[float, float] | None:
    if p1 is None or p2 is None:
        return None
    return difference_interval(p1 * n1, n1, p2 * n2, n2, level)
