"""Each worker's reliability for the adaptive posterior, from a Dawid-Skene fit: leave-one-out
counts and their Dirichlet (Beta) posterior means.

A worker's confusion counts ``n[w, k, l]`` — how often, in expectation, they answered ``l``
when the truth was ``k`` — are usually read off a fit with the task posteriors ``q[t]``.
But ``q[t]`` already contains the worker's own answer: on a task with two or three answers
it largely *is* that answer, so every worker looks more reliable than they are, and the
adaptive rule that trusts them stops too early. (Adaptive overlap makes this worse: it
reveals few answers exactly on tasks where they agree.) The leave-one-out ("cavity")
posterior of task ``t`` without answer ``(w, l)`` divides the worker's own likelihood back
out::

    q_-w[t, k] ∝ q[t, k] / C[w, k, l]

and the counts use it instead: ``n[w, k, l] = Σ over w's answers (t, l) of q_-w[t, k]``.

The belief about worker ``w``'s row ``k`` is then Dirichlet(``n[w, k, :] + s · r[k, :]``),
``r`` being the crowd's pooled confusion (what we expect of a worker we know nothing about)
and ``s`` its weight in answers. Its mean is what
:func:`assay.algorithms.posterior.confusion_posterior` needs: a newcomer is an average
member of the crowd, and a worker seen on many tasks is themselves. The one-coin analogue
is the Beta(``right + s · a0``, ``wrong + s · (1 - a0)``) mean.

References
----------
A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates using
the EM algorithm", Journal of the Royal Statistical Society C 28(1):20-28, 1979.
T. Minka, "Expectation propagation for approximate Bayesian inference", UAI 2001 (the
cavity distribution).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import Answers
from assay.algorithms.errors import InvalidParameterError, LengthMismatchError

FloatArray = npt.NDArray[np.float64]

__all__ = ["accuracy_means", "confusion_means", "leave_one_out_counts", "pooled_confusion"]


def leave_one_out_counts(answers: Answers, posteriors: npt.ArrayLike,
                         confusion: npt.ArrayLike) -> FloatArray:
    """Expected confusion counts ``n[w, k, l]`` with each answer scored against the task's
    posterior *without* that answer.

    Parameters
    ----------
    answers : Answers
    posteriors : (n_tasks, K) floats
        The fit's task posteriors (e.g. ``dawid_skene(answers).posteriors``).
    confusion : (n_workers, K, K) floats, all positive
        The fit's worker confusion matrices.

    Returns
    -------
    (n_workers, K, K) floats; ``counts[w].sum()`` is the number of answers of ``w``.

    Examples
    --------
    Two workers agree on one task; alone, each answer is "right" with certainty, but
    judged by the other's answer only (accuracy 0.8), each is right with probability 0.8:

    >>> ans = Answers([0, 0], [0, 1], [1, 1], 1, 2, 2)
    >>> c = np.array([[[0.8, 0.2], [0.2, 0.8]]] * 2)
    >>> q = np.array([[0.2 ** 2, 0.8 ** 2]]) / (0.2 ** 2 + 0.8 ** 2)
    >>> leave_one_out_counts(ans, q, c)[0].round(3).tolist()
    [[0.0, 0.2], [0.0, 0.8]]
    """
    q = np.asarray(posteriors, dtype=np.float64)
    conf = np.asarray(confusion, dtype=np.float64)
    k = answers.n_classes
    if q.shape != (answers.n_tasks, k):
        raise LengthMismatchError(f"posteriors must have shape ({answers.n_tasks}, {k})")
    if conf.shape != (answers.n_workers, k, k):
        raise LengthMismatchError(f"confusion must have shape ({answers.n_workers}, {k}, {k})")
    if np.any(conf <= 0) or np.any(q < 0):
        raise InvalidParameterError("confusions must be positive and posteriors non-negative")
    cavity = q[answers.task] / conf[answers.worker, :, answers.label]
    total = cavity.sum(axis=1, keepdims=True)
    # A posterior that rules every class out but by this answer has no cavity: fall back
    # to uniform (it happens only with confusions fitted without smoothing).
    cavity = np.divide(cavity, total, out=np.full_like(cavity, 1.0 / k), where=total > 0)
    counts = np.zeros((answers.n_workers, k, k))
    for label in range(k):
        given = answers.label == label
        np.add.at(counts[:, :, label], answers.worker[given], cavity[given])
    return counts


def pooled_confusion(counts: npt.ArrayLike) -> FloatArray:
    """The crowd's confusion: every worker's counts together, each row normalised (rows
    with no count are uniform).

    >>> pooled_confusion([[[3, 1], [0, 0]], [[1, 3], [1, 1]]]).tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    total = np.asarray(counts, dtype=np.float64).sum(axis=0)
    rows = total.sum(axis=1, keepdims=True)
    return np.divide(total, rows, out=np.full_like(total, 1.0 / total.shape[1]),
                     where=rows > 0)


def confusion_means(counts: npt.ArrayLike, strength: float,
                    prior_rows: npt.ArrayLike | None = None) -> FloatArray:
    """The mean of each worker's Dirichlet(``counts[w, k, :] + strength · prior_rows[k]``)
    belief about their confusion rows.

    Parameters
    ----------
    counts : (n_workers, K, K) non-negative floats
    strength : float > 0
        The weight of the prior, in answers per row.
    prior_rows : (K, K) floats, optional
        Each row a distribution with no zero; the pooled confusion of ``counts`` by default.

    >>> confusion_means(np.zeros((1, 2, 2)), 2.0, [[0.7, 0.3], [0.4, 0.6]])[0].tolist()
    [[0.7, 0.3], [0.4, 0.6]]
    """
    n = np.asarray(counts, dtype=np.float64)
    if n.ndim != 3 or n.shape[1] != n.shape[2] or np.any(n < 0):
        raise InvalidParameterError("counts must be non-negative, of shape (n_workers, K, K)")
    if not strength > 0:
        raise InvalidParameterError(f"strength must be positive, got {strength!r}")
    rows = pooled_confusion(n) if prior_rows is None else np.asarray(prior_rows, np.float64)
    if (rows.shape != n.shape[1:] or np.any(rows <= 0)
            or not np.allclose(rows.sum(axis=1), 1.0)):
        raise InvalidParameterError("prior_rows must be K distributions with no zero")
    pseudo = n + strength * rows
    means: FloatArray = pseudo / pseudo.sum(axis=2, keepdims=True)
    return means


def accuracy_means(right: npt.ArrayLike, total: npt.ArrayLike, strength: float,
                   prior_mean: float) -> FloatArray:
    """The Beta(``right + strength · prior_mean``, ``wrong + strength · (1 - prior_mean)``)
    mean of each worker's accuracy; ``right`` may be fractional (expected counts).

    >>> accuracy_means([9.0, 0.0], [10.0, 0.0], 4.0, 0.7).round(3).tolist()
    [0.843, 0.7]
    """
    r = np.asarray(right, dtype=np.float64)
    n = np.asarray(total, dtype=np.float64)
    if r.shape != n.shape or np.any(r < 0) or np.any(r > n + 1e-9):
        raise InvalidParameterError("need 0 ≤ right ≤ total, of equal shapes")
    if not strength > 0 or not 0.0 < prior_mean < 1.0:
        raise InvalidParameterError("need strength > 0 and prior_mean in (0, 1)")
    means: FloatArray = (r + strength * prior_mean) / (n + strength)
    return means
