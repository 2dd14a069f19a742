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

:func:`worker_confusions` turns what the background refit stores (each worker's counts,
the crowd's total counts and expected class counts) into those means and the class prior;
adaptive overlap and its replay (``bench/quality/adaptive_replay.py``) both call it, so the
replay measures what the platform does. :func:`aligned_counts` carries stored counts over
to a project's current label order (labels may be added, removed or reordered later).

References
----------
A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates using
the EM algorithm", Journal of the Royal Statistical Society C 28(1):20-28, 1979.
T. Minka, "Expectation propagation for approximate Bayesian inference", UAI 2001 (the
cavity distribution).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import Answers
from assay.algorithms.errors import InvalidParameterError, LengthMismatchError

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "WorkerConfusions",
    "accuracy_means",
    "aligned_counts",
    "confusion_means",
    "leave_one_out_counts",
    "one_coin_confusion",
    "pooled_confusion",
    "worker_confusions",
]


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


def one_coin_confusion(accuracy: float, n_classes: int) -> FloatArray:
    """The confusion of a worker right with probability ``accuracy`` and otherwise uniform.

    >>> one_coin_confusion(0.7, 3).round(2).tolist()
    [[0.7, 0.15, 0.15], [0.15, 0.7, 0.15], [0.15, 0.15, 0.7]]
    """
    if n_classes < 2 or not 0.0 < accuracy < 1.0:
        raise InvalidParameterError("need n_classes >= 2 and accuracy in (0, 1)")
    rows = np.full((n_classes, n_classes), (1.0 - accuracy) / (n_classes - 1))
    np.fill_diagonal(rows, accuracy)
    return rows


@dataclass(frozen=True)
class WorkerConfusions:
    """``confusions[i]``: the Dirichlet mean of worker ``i``'s confusion rows;
    ``crowd``: the crowd's confusion their beliefs start from; ``prior``: the class prior."""

    confusions: FloatArray
    crowd: FloatArray
    prior: FloatArray


def worker_confusions(counts: npt.ArrayLike, crowd_counts: npt.ArrayLike,
                      class_counts: npt.ArrayLike, strength: float, crowd_strength: float,
                      crowd_accuracy: float) -> WorkerConfusions:
    """Each worker's confusion matrix and the class prior, from stored counts.

    The crowd's confusion is the Dirichlet mean of its total counts with ``crowd_strength``
    answers a row at the one-coin matrix of ``crowd_accuracy`` (so it is defined, without a
    zero, even for a class nobody has answered or been seen in yet); each worker's is
    :func:`confusion_means` of their counts toward it with ``strength`` answers a row. The
    class prior is ``(class_counts + 1) / (Σ class_counts + K)``, the Dawid-Skene M step's
    (``prior_smoothing=1``), so a class with no count keeps a small positive prior.

    Parameters
    ----------
    counts : (n, K, K) non-negative floats
        Each answering worker's counts (leave-one-out, plus any checked answers; zeros for
        a worker the refit has not measured).
    crowd_counts : (K, K) non-negative floats
        Every worker's leave-one-out counts together.
    class_counts : (K,) non-negative floats
        The expected number of tasks of each class (the sum of the task posteriors).
    strength, crowd_strength : float > 0
        Prior weights, in answers per row.
    crowd_accuracy : float in (0, 1)

    Examples
    --------
    With no counts at all, every worker is the one-coin crowd and the prior is uniform:

    >>> w = worker_confusions(np.zeros((1, 2, 2)), np.zeros((2, 2)), np.zeros(2), 2, 4, 0.7)
    >>> w.confusions[0].round(3).tolist(), w.prior.tolist()
    ([[0.7, 0.3], [0.3, 0.7]], [0.5, 0.5])
    """
    total = np.asarray(crowd_counts, dtype=np.float64)
    classes = np.asarray(class_counts, dtype=np.float64)
    k = classes.shape[0] if classes.ndim == 1 else -1
    if (k < 2 or total.shape != (k, k) or np.any(total < 0) or np.any(classes < 0)
            or not np.all(np.isfinite(total)) or not np.all(np.isfinite(classes))):
        raise InvalidParameterError("need class_counts (K,) and crowd_counts (K, K), "
                                    "finite and non-negative, K >= 2")
    if not crowd_strength > 0:
        raise InvalidParameterError(f"crowd_strength must be positive, got {crowd_strength!r}")
    crowd = confusion_means(total[None], crowd_strength,
                            one_coin_confusion(crowd_accuracy, k))[0]
    prior = (classes + 1.0) / (classes.sum() + k)
    return WorkerConfusions(confusion_means(counts, strength, crowd), crowd, prior)


def aligned_counts(counts: npt.ArrayLike, labels: Sequence[Hashable],
                   to_labels: Sequence[Hashable]) -> FloatArray:
    """Counts over ``labels`` (on every axis: a vector, a matrix or a stack of matrices)
    carried over to ``to_labels``: a label ``labels`` lacks gets zero counts, one that
    ``to_labels`` lacks is dropped.

    >>> aligned_counts([[5, 1], [2, 7]], ["a", "b"], ["b", "c", "a"]).tolist()
    [[7.0, 0.0, 2.0], [0.0, 0.0, 0.0], [1.0, 0.0, 5.0]]
    """
    n = np.asarray(counts, dtype=np.float64)
    if n.ndim == 0 or any(size != len(labels) for size in n.shape[-min(n.ndim, 2):]):
        raise LengthMismatchError("the counts do not match the labels")
    where = {label: i for i, label in enumerate(labels)}
    source = np.array([where.get(label, -1) for label in to_labels], dtype=np.int64)
    padded = np.concatenate([n, np.zeros_like(n[..., :1])], axis=-1)  # index -1: zeros
    if n.ndim == 1:
        out: FloatArray = padded[source]
        return out
    padded = np.concatenate([padded, np.zeros_like(padded[..., :1, :])], axis=-2)
    out = padded[..., source[:, None], source[None, :]]
    return out
