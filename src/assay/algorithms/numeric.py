"""Aggregation of numeric ratings (the ``rate`` kind): mean, median and bias-corrected."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from assay.algorithms.answers import Answers as _Answers
from assay.algorithms.answers import DuplicatePolicy, Encoding, IntArray, _factorize
from assay.algorithms.errors import (
    EmptyTaskError,
    InvalidParameterError,
    LengthMismatchError,
    NoAnswersError,
)
from assay.algorithms.results import FloatArray

__all__ = [
    "NumericResult",
    "Ratings",
    "bias_corrected_rating",
    "encode_ratings",
    "mean_rating",
    "median_rating",
]


@dataclass(frozen=True, eq=False)
class Ratings:
    """Numeric answers: worker ``worker[i]`` rated task ``task[i]`` as ``value[i]``.

    Arrays are copied and made read-only; values must be finite.
    """

    task: IntArray
    worker: IntArray
    value: FloatArray
    n_tasks: int
    n_workers: int

    def __post_init__(self) -> None:
        values = np.array(self.value, dtype=np.float64)
        if values.ndim != 1:
            raise LengthMismatchError("value must be one-dimensional")
        if not np.all(np.isfinite(values)):
            raise InvalidParameterError("ratings must be finite numbers")
        if np.asarray(self.task).shape != values.shape:
            raise LengthMismatchError("task, worker and value differ in length")
        # The code columns are validated exactly like categorical answers (one dummy class).
        codes = _Answers(
            self.task, self.worker, np.zeros(values.size, dtype=np.int64),
            self.n_tasks, self.n_workers, 1,
        )
        values.flags.writeable = False
        object.__setattr__(self, "task", codes.task)
        object.__setattr__(self, "worker", codes.worker)
        object.__setattr__(self, "value", values)
        object.__setattr__(self, "n_tasks", codes.n_tasks)
        object.__setattr__(self, "n_workers", codes.n_workers)

    def require_every_task_rated(self) -> IntArray:
        """Raise unless every task has a rating; return the number of ratings per task."""
        if self.value.size == 0:
            raise NoAnswersError("there are no ratings to aggregate")
        counts = np.bincount(self.task, minlength=self.n_tasks).astype(np.int64)
        if (counts == 0).any():
            raise EmptyTaskError(f"{int((counts == 0).sum())} task(s) have no rating")
        return counts


def encode_ratings(
    tasks: Sequence[Hashable],
    workers: Sequence[Hashable],
    values: Sequence[float],
    *,
    duplicates: DuplicatePolicy = "last",
) -> tuple[Ratings, Encoding]:
    """Encode raw ratings; the duplicate policies are those of
    :func:`~assay.algorithms.answers.encode_answers`. ``Encoding.classes`` is empty."""
    if not len(tasks) == len(workers) == len(values):
        raise LengthMismatchError("tasks, workers and values differ in length")
    if not tasks:
        raise NoAnswersError("there are no ratings to encode")
    task_codes, task_ids = _factorize(tasks)
    worker_codes, worker_ids = _factorize(workers)
    # Code each rating by its position, so the categorical dedup tells which rows survive.
    index = np.arange(len(values))
    keep = _Answers(
        task_codes, worker_codes, index, len(task_ids), len(worker_ids), len(values)
    ).deduplicated(duplicates).label
    value_array = np.asarray(values, dtype=np.float64)[keep]
    ratings = Ratings(
        task_codes[keep], worker_codes[keep], value_array, len(task_ids), len(worker_ids)
    )
    return ratings, Encoding(task_ids, worker_ids, ())


@dataclass(frozen=True, eq=False, kw_only=True)
class NumericResult:
    """Aggregated ratings: ``values[t]`` per task, with ``worker_bias`` where estimated."""

    values: FloatArray
    iterations: int
    converged: bool
    method: str
    worker_bias: FloatArray | None = None


def mean_rating(ratings: Ratings) -> NumericResult:
    """The mean rating of each task."""
    counts = ratings.require_every_task_rated()
    sums = np.bincount(ratings.task, weights=ratings.value, minlength=ratings.n_tasks)
    return NumericResult(values=sums / counts, iterations=0, converged=True, method="mean")


def median_rating(ratings: Ratings) -> NumericResult:
    """The median rating of each task (the mean of the two middle ones for an even count)."""
    counts = ratings.require_every_task_rated()
    order = np.lexsort((ratings.value, ratings.task))
    ordered = ratings.value[order]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    low = ordered[starts + (counts - 1) // 2]
    high = ordered[starts + counts // 2]
    return NumericResult(values=(low + high) / 2, iterations=0, converged=True, method="median")


def bias_corrected_rating(
    ratings: Ratings,
    *,
    shrinkage: float = 1.0,
    max_iter: int = 100,
    tol: float = 1e-6,
) -> NumericResult:
    """Task values corrected for each worker's additive bias.

    Model: ``value = mu_t + b_w + noise``: some workers rate everything higher or lower.
    Fitted by alternating least squares with a ridge penalty ``shrinkage * b_w^2`` that pulls
    the bias of a worker with few ratings towards 0::

        mu_t = mean over t's ratings of (value - b_w)
        b_w  = sum over w's ratings of (value - mu_t) / (n_w + shrinkage)
        b    = b - (rating-weighted mean of b)      # biases average to 0 over the ratings

    Each sweep is the exact minimiser in one block, so the penalised squared error never
    increases; it stops when no task value moves by more than ``tol`` times the spread of
    the ratings.

    Parameters
    ----------
    ratings : Ratings
        Every task must have at least one rating.
    shrinkage : float
        Ridge strength, in pseudo-ratings of bias 0 (>= 0).
    max_iter, tol : int, float
        Sweep limit and stopping tolerance.

    Returns
    -------
    NumericResult
        ``worker_bias[w]`` is ``b_w``.

    References
    ----------
    The additive rater-effect model of two-way ANOVA; as used for crowd ratings in
    e.g. P. Welinder and P. Perona, "Online crowdsourcing: rating annotators and obtaining
    cost-effective labels", CVPR Workshops 2010.
    """
    counts = ratings.require_every_task_rated()
    if max_iter < 1 or not np.isfinite(tol) or tol < 0:
        raise InvalidParameterError("max_iter must be >= 1 and tol >= 0")
    if not np.isfinite(shrinkage) or shrinkage < 0:
        raise InvalidParameterError("shrinkage must be finite and >= 0")
    task, worker, value = ratings.task, ratings.worker, ratings.value
    per_worker = np.bincount(worker, minlength=ratings.n_workers).astype(np.float64)
    scale = max(float(np.ptp(value)), 1e-12)
    bias = np.zeros(ratings.n_workers)
    mu = np.bincount(task, weights=value, minlength=ratings.n_tasks) / counts
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        residual = np.bincount(worker, weights=value - mu[task], minlength=ratings.n_workers)
        bias = np.divide(residual, per_worker + shrinkage, out=np.zeros_like(residual),
                         where=per_worker + shrinkage > 0)
        bias -= float(bias @ per_worker) / float(per_worker.sum())
        new_mu = np.bincount(task, weights=value - bias[worker], minlength=ratings.n_tasks) / counts
        moved = float(np.abs(new_mu - mu).max())
        mu = new_mu
        if moved <= tol * scale:
            converged = True
            break
    return NumericResult(
        values=mu, iterations=iterations, converged=converged, method="bias_corrected",
        worker_bias=bias,
    )

