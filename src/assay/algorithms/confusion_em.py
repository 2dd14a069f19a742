"""The EM loop shared by every model whose workers are described by a confusion matrix.

Dawid-Skene, one-coin Dawid-Skene and MACE all say: the true class ``z_t`` of task ``t`` is
drawn from class priors ``p``, and worker ``w`` answers ``l`` with probability
``pi[w, z_t, l]``, independently given ``z_t``. They differ only in how ``pi`` is
parametrised, i.e. in the M step. So the E step, the expected counts and the stopping rule
live here once:

E step
    ``log q[t, k] = log p[k] + sum over answers (w, l) of t of log pi[w, k, l]``, normalised
    over ``k`` (a product of the sparse vote matrix with ``log pi``).
Expected counts
    ``n[w, k, l] = sum over answers (t, w, l) of q[t, k]`` (the transposed product), handed
    with the class totals ``sum_t q[t, k]`` to the model's M step.
Stopping
    when the mean log-likelihood per answer, ``log P(answers | params) / n_answers``, moves
    by less than ``tol`` between two iterations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assay.algorithms.answers import Answers
from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.incidence import vote_matrices
from assay.algorithms.results import FloatArray, softmax_rows

# Confusion probabilities are floored here before the log, so that a worker who never gave
# a label under some class does not veto that class outright with log(0).
LOG_FLOOR = 1e-12

MStep = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]
"""``(counts (W, K, K), class_totals (K,)) -> (confusion (W, K, K), class_priors (K,))``."""

__all__ = ["LOG_FLOOR", "ConfusionFit", "MStep", "check_em_parameters", "fit_confusion_model"]


@dataclass(frozen=True, eq=False)
class ConfusionFit:
    """Final state of :func:`fit_confusion_model`."""

    posteriors: FloatArray
    confusion: FloatArray
    class_priors: FloatArray
    log_likelihood: float
    iterations: int
    converged: bool


def check_em_parameters(max_iter: int, tol: float) -> None:
    """Raise :class:`InvalidParameterError` for an unusable iteration limit or tolerance."""
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise InvalidParameterError(f"max_iter must be an int >= 1, got {max_iter!r}")
    if not np.isfinite(tol) or tol < 0:
        raise InvalidParameterError(f"tol must be finite and >= 0, got {tol!r}")


def fit_confusion_model(
    answers: Answers,
    m_step: MStep,
    initial_posteriors: FloatArray,
    *,
    max_iter: int,
    tol: float,
) -> ConfusionFit:
    """Run EM from ``initial_posteriors`` (an M step comes first).

    ``answers`` must have every task answered; the caller checks that.
    """
    k = answers.n_classes
    w = answers.n_workers
    votes = vote_matrices(answers)
    posteriors = initial_posteriors
    previous = -np.inf
    log_likelihood = -np.inf
    converged = False
    iterations = 0
    confusion = np.full((w, k, k), 1.0 / k)
    priors = np.full(k, 1.0 / k)
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        counts = votes.cell_totals(posteriors).reshape(w, k, k).transpose(0, 2, 1)
        confusion, priors = m_step(counts, posteriors.sum(axis=0))
        log_confusion = np.log(np.maximum(confusion, LOG_FLOOR))
        cell_scores = log_confusion.transpose(0, 2, 1).reshape(w * k, k)
        logits = votes.task_scores(cell_scores)
        logits += np.log(np.maximum(priors, LOG_FLOOR))
        posteriors, log_normaliser = softmax_rows(logits, overwrite=True)
        log_likelihood = float(log_normaliser.sum())
        if abs(log_likelihood - previous) <= tol * answers.n_answers:
            converged = True
            break
        previous = log_likelihood
    return ConfusionFit(posteriors, confusion, priors, log_likelihood, iterations, converged)
