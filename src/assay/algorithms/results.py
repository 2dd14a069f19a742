"""The result shared by every categorical truth-inference method, and helpers to build it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import IntArray

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "FloatArray", "TruthResult", "labels_from_posteriors", "row_max", "row_sum", "softmax_rows"
]


@dataclass(frozen=True, eq=False, kw_only=True)
class TruthResult:
    """What a categorical truth-inference method found.

    Attributes
    ----------
    labels : (n_tasks,) int array
        The most probable class code per task (ties go to the lowest code).
    posteriors : (n_tasks, n_classes) float array
        The probability of each class per task; every row sums to 1.
    iterations : int
        Iterations run (0 for a method that is not iterative).
    converged : bool
        Whether the stopping tolerance was met before the iteration limit.
    method : str
        The name of the method, as in ``CATEGORICAL_METHODS``.
    log_likelihood : float or None
        The final (penalised) log-likelihood of the observed answers, where the model has one.
    """

    labels: IntArray
    posteriors: FloatArray
    iterations: int
    converged: bool
    method: str
    log_likelihood: float | None = None

    @property
    def confidences(self) -> FloatArray:
        """The posterior probability of the chosen label, per task."""
        return np.asarray(self.posteriors.max(axis=1), dtype=np.float64)


def row_max(values: FloatArray) -> FloatArray:
    """``values.max(axis=1)``, column by column: numpy reduces a short last axis slowly, and
    with few classes an elementwise maximum over the columns is several times faster."""
    top = values[:, 0].copy()
    for column in range(1, values.shape[1]):
        np.maximum(top, values[:, column], out=top)
    return top


def row_sum(values: FloatArray) -> FloatArray:
    """``values.sum(axis=1)``, column by column (see :func:`row_max`)."""
    total = values[:, 0].copy()
    for column in range(1, values.shape[1]):
        total += values[:, column]
    return total


def softmax_rows(logits: FloatArray, *, overwrite: bool = False) -> tuple[FloatArray, FloatArray]:
    """Normalise log-scores row-wise; return ``(probabilities, log_normaliser)``.

    Computed with the max subtracted first so that very confident rows do not overflow.
    With ``overwrite=True`` the probabilities are written into ``logits`` (no new array:
    an EM loop that builds fresh logits every iteration need not allocate twice).
    """
    top = row_max(logits)
    top[~np.isfinite(top)] = 0.0
    weights = logits if overwrite else logits.copy()
    weights -= top[:, None]
    np.exp(weights, out=weights)
    totals = row_sum(weights)
    weights /= totals[:, None]
    return weights, np.log(totals) + top


def labels_from_posteriors(posteriors: FloatArray) -> IntArray:
    """Most probable class per row; ties (within 1e-12) go to the lowest class code."""
    top = row_max(posteriors)[:, None]
    return np.argmax(posteriors >= top - 1e-12, axis=1).astype(np.int64)
