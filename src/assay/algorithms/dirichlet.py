"""Empirical-Bayes Dirichlet priors: the prior that best explains many count vectors.

Hierarchical Dawid-Skene gives every worker's confusion row ``pi[w, k, :]`` the same
Dirichlet prior ``Dir(alpha[k, :])`` and learns ``alpha`` from the crowd itself: its mean is
the crowd's typical confusion row and its total ``sum(alpha[k])`` is how alike the workers
are. ``alpha`` maximises the marginal (Dirichlet-multinomial, "Polya") likelihood of every
worker's counts, found with Minka's fixed point.
"""

from __future__ import annotations

import numpy as np

from assay.algorithms.results import FloatArray
from assay.algorithms.special import digamma

# Bounds on the learned pseudo-counts. The floor keeps a label nobody ever gives from
# collapsing to exactly 0; the ceiling on a row's total stops the fixed point from running
# off to infinity when every worker's counts are proportional (then the ML prior is a point
# mass, and 1e6 pseudo-answers is the same for any realistic crowd).
MIN_PSEUDO_COUNT = 1e-3
MAX_PRECISION = 1e6

__all__ = ["MAX_PRECISION", "MIN_PSEUDO_COUNT", "fit_dirichlet_rows"]


def fit_dirichlet_rows(
    counts: FloatArray, alpha: FloatArray, *, steps: int, precision_cost: float = 0.0
) -> FloatArray:
    """Maximise the Dirichlet-multinomial likelihood of many count vectors, row by row.

    For each row ``k`` this finds ``alpha[k, :]`` maximising
    ``sum over w of log Polya(counts[w, k, :] | alpha[k, :])`` by Minka's fixed point::

        alpha[k, l] <- alpha[k, l] * sum_w (psi(n[w,k,l] + alpha[k,l]) - psi(alpha[k,l]))
                                   / sum_w (psi(N[w,k] + A[k]) - psi(A[k]))

    where ``N[w, k] = sum_l n[w, k, l]``, ``A[k] = sum_l alpha[k, l]`` and ``psi`` is the
    digamma function. Counts may be fractional (expected counts from an E step). Rows with
    no counts at all keep their ``alpha``.

    Parameters
    ----------
    counts : (n_workers, K, L) float array
        Non-negative counts; ``counts[w, k]`` is one observation of row ``k``.
    alpha : (K, L) float array
        The starting point (positive); not modified.
    steps : int
        Fixed-point steps to take (each one increases the likelihood).

    Returns
    -------
    (K, L) float array
        The updated pseudo-counts, within ``[MIN_PSEUDO_COUNT, MAX_PRECISION]``.

    References
    ----------
    T. P. Minka, "Estimating a Dirichlet distribution", technical report, 2000 (eq. 55).

    Examples
    --------
    >>> counts = np.array([[[8.0, 2.0]], [[7.0, 3.0]], [[9.0, 1.0]]])
    >>> alpha = fit_dirichlet_rows(counts, np.ones((1, 2)), steps=200)
    >>> (alpha / alpha.sum()).round(2).tolist()
    [[0.8, 0.2]]
    """
    alpha = np.array(alpha, dtype=np.float64)
    totals = counts.sum(axis=2)
    for _ in range(steps):
        precision = alpha.sum(axis=1)
        numerator = (digamma(counts + alpha) - digamma(alpha)).sum(axis=0)
        denominator = (digamma(totals + precision) - digamma(precision)).sum(axis=0)
        denominator += precision_cost
        grows = denominator > 0
        alpha[grows] *= numerator[grows] / denominator[grows, None]
        np.maximum(alpha, MIN_PSEUDO_COUNT, out=alpha)
        precision = alpha.sum(axis=1, keepdims=True)
        alpha *= np.minimum(1.0, MAX_PRECISION / precision)
    return alpha
