"""The posterior of one task's true label from a few answers of workers of known reliability.

Two models, both evaluated by adaptive overlap after every answer in O(answers · K):

**One coin** (Dawid & Skene with a single accuracy per worker): worker ``i`` gives the true
label with probability ``a_i`` and each of the other ``K - 1`` labels with probability
``(1 - a_i) / (K - 1)``. With class prior ``pi``::

    P(y = k | answers) ∝ pi_k · Π_i (a_i if l_i = k else (1 - a_i) / (K - 1))

**Confusion matrix** (the full Dawid-Skene worker model, "two coin" when K = 2): worker ``i``
answers ``l`` with probability ``C_i[k, l]`` when the truth is ``k``::

    P(y = k | answers) ∝ pi_k · Π_i C_i[k, l_i]

It tells a worker who says "positive" to everything from one who is right on both classes,
which one accuracy cannot. When each ``C_i`` (or ``a_i``) is the posterior mean of a
Dirichlet (Beta) belief about the worker, the result is the exact posterior with the
worker's uncertainty integrated out, since a worker answers a task once and the predictive
probability of one answer under a Dirichlet is its mean
(:mod:`assay.algorithms.posterior_workers` builds those means).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import Answers
from assay.algorithms.errors import InvalidParameterError, LabelOutOfRangeError

FloatArray = npt.NDArray[np.float64]

__all__ = ["confusion_posterior", "one_coin_posterior", "task_posteriors"]


def _log_prior(prior: npt.ArrayLike | None, n_classes: int) -> FloatArray:
    pi = (np.full(n_classes, 1.0 / n_classes) if prior is None
          else np.asarray(prior, dtype=np.float64))
    if pi.shape != (n_classes,) or np.any(pi <= 0) or not np.all(np.isfinite(pi)):
        raise InvalidParameterError("prior must hold n_classes positive numbers")
    return np.log(pi / pi.sum())


def _normalised(log_post: FloatArray) -> FloatArray:
    post = np.exp(log_post - log_post.max())
    result: FloatArray = post / post.sum()
    return result


def _codes(labels: npt.ArrayLike, n_classes: int) -> npt.NDArray[np.int64]:
    if n_classes < 2:
        raise InvalidParameterError("n_classes must be at least 2")
    codes = np.asarray(labels, dtype=np.int64)
    if codes.ndim != 1:
        raise InvalidParameterError("labels must be 1-d")
    if codes.size and (codes.min() < 0 or codes.max() >= n_classes):
        raise LabelOutOfRangeError("a label code is outside [0, n_classes)")
    return codes


def one_coin_posterior(labels: npt.ArrayLike, accuracies: npt.ArrayLike, n_classes: int,
                       prior: npt.ArrayLike | None = None) -> FloatArray:
    """Posterior over the ``n_classes`` labels of one task under the one-coin model.

    Parameters
    ----------
    labels : (n,) ints in [0, n_classes)
        The answers given, as label codes.
    accuracies : (n,) floats in (0, 1)
        Each answering worker's accuracy.
    n_classes : int, at least 2
    prior : (n_classes,) floats, optional
        Class prior; uniform by default.

    Examples
    --------
    >>> p = one_coin_posterior([0, 0, 1], [0.9, 0.8, 0.6], 3)
    >>> int(p.argmax()), round(float(p.max()), 3)
    (0, 0.973)
    """
    codes = _codes(labels, n_classes)
    acc = np.asarray(accuracies, dtype=np.float64)
    if codes.shape != acc.shape:
        raise InvalidParameterError("labels and accuracies must be 1-d and of equal length")
    if np.any((acc <= 0) | (acc >= 1)):
        raise InvalidParameterError("accuracies must lie strictly between 0 and 1")
    wrong = np.log((1.0 - acc) / (n_classes - 1))
    log_post = _log_prior(prior, n_classes) + wrong.sum()
    np.add.at(log_post, codes, np.log(acc) - wrong)
    return _normalised(log_post)


def confusion_posterior(labels: npt.ArrayLike, confusions: npt.ArrayLike,
                        prior: npt.ArrayLike | None = None) -> FloatArray:
    """Posterior over the labels of one task when each answer comes with its worker's
    confusion matrix.

    Parameters
    ----------
    labels : (n,) ints in [0, K)
        The answers given, as label codes.
    confusions : (n, K, K) floats
        ``confusions[i, k, l]``: the probability that the worker of answer ``i`` answers
        ``l`` when the truth is ``k``. Each row must sum to 1 and the column of the given
        answer must be positive (a Dirichlet posterior mean always is).
    prior : (K,) floats, optional
        Class prior (e.g. the refit's class priors); uniform by default.

    Examples
    --------
    A worker who says 1 to nearly everything adds little when they say 1:

    >>> eager = [[0.4, 0.6], [0.05, 0.95]]
    >>> careful = [[0.9, 0.1], [0.1, 0.9]]
    >>> [round(float(confusion_posterior([1], [c])[1]), 3) for c in (eager, careful)]
    [0.613, 0.9]
    """
    matrices = np.asarray(confusions, dtype=np.float64)
    if matrices.ndim != 3 or matrices.shape[1] != matrices.shape[2]:
        raise InvalidParameterError("confusions must have shape (n, K, K)")
    n_classes = matrices.shape[2]
    codes = _codes(labels, n_classes)
    if codes.shape[0] != matrices.shape[0]:
        raise InvalidParameterError("labels and confusions must describe the same answers")
    if (not np.all(np.isfinite(matrices)) or np.any(matrices < 0)
            or not np.allclose(matrices.sum(axis=2), 1.0, atol=1e-6)):
        raise InvalidParameterError("every confusion row must be a probability distribution")
    given = matrices[np.arange(codes.size), :, codes]  # (n, K): P(answer | truth k)
    if np.any(given <= 0):
        raise InvalidParameterError("an answer's label must have positive probability under "
                                    "every true class (use smoothed, e.g. Dirichlet-mean, "
                                    "confusions)")
    return _normalised(_log_prior(prior, n_classes) + np.log(given).sum(axis=0))


def task_posteriors(answers: Answers, confusions: npt.ArrayLike,
                    prior: npt.ArrayLike | None = None) -> FloatArray:
    """:func:`confusion_posterior` of every task at once: ``(n_tasks, K)``, a row per task
    (the prior alone for a task without answers).

    ``confusions`` is ``(n_workers, K, K)``, one matrix per worker of ``answers``, held to
    the same rules as in :func:`confusion_posterior`.

    >>> a = Answers(task=np.array([0, 0, 1]), worker=np.array([0, 1, 1]),
    ...             label=np.array([1, 1, 0]), n_tasks=2, n_workers=2, n_classes=2)
    >>> careful = [[0.9, 0.1], [0.1, 0.9]]
    >>> p = task_posteriors(a, [careful, careful])
    >>> [round(float(x), 3) for x in p[:, 1]]
    [0.988, 0.1]
    """
    matrices = np.asarray(confusions, dtype=np.float64)
    k = answers.n_classes
    if matrices.shape != (answers.n_workers, k, k):
        raise InvalidParameterError("confusions must have shape (n_workers, K, K)")
    if (not np.all(np.isfinite(matrices)) or np.any(matrices < 0)
            or not np.allclose(matrices.sum(axis=2), 1.0, atol=1e-6)):
        raise InvalidParameterError("every confusion row must be a probability distribution")
    given = matrices[answers.worker, :, answers.label]  # (n_answers, K)
    if np.any(given <= 0):
        raise InvalidParameterError("an answer's label must have positive probability under "
                                    "every true class")
    log_post = np.tile(_log_prior(prior, k), (answers.n_tasks, 1))
    np.add.at(log_post, answers.task, np.log(given))
    log_post -= log_post.max(axis=1, keepdims=True)
    post = np.exp(log_post)
    result: FloatArray = post / post.sum(axis=1, keepdims=True)
    return result
