"""The posterior of one task's true label from a few answers of workers of known accuracy.

The one-coin model (Dawid & Skene with a single accuracy per worker): worker ``i`` gives the
true label with probability ``a_i`` and each of the other ``K - 1`` labels with probability
``(1 - a_i) / (K - 1)``. With class prior ``pi``::

    P(y = k | answers) ∝ pi_k · Π_i (a_i if l_i = k else (1 - a_i) / (K - 1))

This is what adaptive overlap evaluates after every answer: cheap (O(answers · K)) and, when
the accuracies are right, calibrated.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from assay.algorithms.errors import InvalidParameterError, LabelOutOfRangeError


def one_coin_posterior(labels: npt.ArrayLike, accuracies: npt.ArrayLike, n_classes: int,
                       prior: npt.ArrayLike | None = None) -> npt.NDArray[np.float64]:
    """Posterior over the ``n_classes`` labels of one task.

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
    codes = np.asarray(labels, dtype=np.int64)
    acc = np.asarray(accuracies, dtype=np.float64)
    if n_classes < 2:
        raise InvalidParameterError("n_classes must be at least 2")
    if codes.shape != acc.shape or codes.ndim != 1:
        raise InvalidParameterError("labels and accuracies must be 1-d and of equal length")
    if codes.size and (codes.min() < 0 or codes.max() >= n_classes):
        raise LabelOutOfRangeError("a label code is outside [0, n_classes)")
    if np.any((acc <= 0) | (acc >= 1)):
        raise InvalidParameterError("accuracies must lie strictly between 0 and 1")
    pi = (np.full(n_classes, 1.0 / n_classes) if prior is None
          else np.asarray(prior, dtype=np.float64))
    if pi.shape != (n_classes,) or np.any(pi <= 0):
        raise InvalidParameterError("prior must hold n_classes positive numbers")
    log_post = np.log(pi / pi.sum())
    wrong = np.log((1.0 - acc) / (n_classes - 1))
    log_post = log_post + wrong.sum()
    np.add.at(log_post, codes, np.log(acc) - wrong)
    log_post -= log_post.max()
    post = np.exp(log_post)
    result: npt.NDArray[np.float64] = post / post.sum()
    return result
