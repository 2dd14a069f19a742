"""Dawid-Skene: a full confusion matrix per worker, fitted by EM."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import Answers
from assay.algorithms.confusion_em import check_em_parameters, fit_confusion_model
from assay.algorithms.dirichlet import fit_dirichlet_rows
from assay.algorithms.errors import InvalidParameterError, LengthMismatchError
from assay.algorithms.majority import majority_vote
from assay.algorithms.results import FloatArray, TruthResult, labels_from_posteriors

__all__ = [
    "PRIOR_MODES", "DawidSkeneResult", "PriorMode", "dawid_skene", "initial_posteriors"
]


@dataclass(frozen=True, eq=False, kw_only=True)
class DawidSkeneResult(TruthResult):
    """A :class:`TruthResult` with ``confusion[w, k, l]``, the probability that worker ``w``
    answers ``l`` when the truth is ``k``, the ``class_priors`` and ``prior_counts[k, l]``,
    the learned Dirichlet pseudo-counts of the confusion rows (zeros when not learned)."""

    confusion: FloatArray
    class_priors: FloatArray
    prior_counts: FloatArray

    @property
    def worker_accuracies(self) -> FloatArray:
        """Each worker's probability of answering correctly, weighted by the class priors."""
        diagonal = np.diagonal(self.confusion, axis1=1, axis2=2)
        return np.asarray(diagonal @ self.class_priors, dtype=np.float64)


def initial_posteriors(answers: Answers, init: npt.ArrayLike | None) -> FloatArray:
    """The posteriors EM starts from: the given ones (validated) or majority-vote shares."""
    if init is None:
        return majority_vote(answers).posteriors
    start = np.array(init, dtype=np.float64)
    if start.shape != (answers.n_tasks, answers.n_classes):
        raise LengthMismatchError(
            f"init must have shape ({answers.n_tasks}, {answers.n_classes}), got {start.shape}"
        )
    if not np.all(np.isfinite(start)) or (start < 0).any() or (start.sum(axis=1) <= 0).any():
        raise InvalidParameterError("init rows must be non-negative, finite and not all zero")
    return start / start.sum(axis=1, keepdims=True)


PriorMode = Literal["learned", "fixed"]
PRIOR_MODES: tuple[str, ...] = ("learned", "fixed")

# Minka fixed-point steps per M step for the learned prior. The prior is warm-started from
# the previous iteration, so a few steps track it; the first M step starts from scratch.
PRIOR_STEPS = 3
FIRST_PRIOR_STEPS = 20
PRECISION_COST = 0.01


def dawid_skene(
    answers: Answers,
    *,
    max_iter: int = 100,
    tol: float = 1e-4,
    prior: PriorMode = "learned",
    smoothing: float = 0.0,
    diagonal: float = 0.0,
    shrinkage: float = 0.0,
    prior_smoothing: float = 1.0,
    init: npt.ArrayLike | None = None,
) -> DawidSkeneResult:
    """Dawid-Skene truth inference with a Dirichlet prior on the confusion rows, fitted by EM.

    Model: the true class of task ``t`` is ``z_t ~ Categorical(p)``; worker ``w`` answers
    ``l`` with probability ``pi[w, z_t, l]`` (a full confusion matrix per worker), all
    answers independent given the true classes. Each confusion row has a Dirichlet prior,
    ``pi[w, k, :] ~ Dir(alpha[k, :] + smoothing + diagonal * [k == :])``.

    With ``prior="learned"`` (the default) ``alpha`` is learned from the crowd: it maximises
    the marginal likelihood of every worker's expected counts (empirical Bayes, see
    :func:`~assay.algorithms.dirichlet.fit_dirichlet_rows`). Its mean is the crowd's typical
    confusion row and its total says how alike the workers are, so a worker with few answers
    is pulled towards the crowd by as much as the crowd's spread warrants, and one with many
    answers is judged on their own. With ``prior="fixed"``, ``alpha`` is 0 and only the fixed
    pseudo-counts remain (``smoothing=diagonal=0`` is plain maximum-likelihood Dawid-Skene).

    E step: ``q[t, k] ∝ p[k] * prod over answers (w, l) of t of pi[w, k, l]``.

    M step (pseudo-counts added to the expected counts)::

        n[w, k, l]  = sum of q[t, k] over the answers (t, w, l)
        alpha       <- a few Minka fixed-point steps on n (learned prior only)
        pi[w, k, :] ∝ n[w, k, :] + alpha[k, :] + smoothing + diagonal * [k == :]
                      + shrinkage * pooled[k, :]
        p[k]        ∝ sum_t q[t, k] + prior_smoothing

    ``pooled[k, :]`` is the confusion row of all workers together (normalised
    ``sum_w n[w, k, :]``), a fixed-strength version of the learned prior. EM starts from
    majority-vote posteriors with an M step and stops when the mean log-likelihood per answer
    changes by less than ``tol``.

    Parameters
    ----------
    answers : Answers
        Every task must have at least one answer.
    max_iter : int
        Iteration limit (each iteration is one M step and one E step).
    tol : float
        Stopping tolerance on the change of the mean log-likelihood per answer.
    prior : {"learned", "fixed"}
        Whether the Dirichlet prior on the confusion rows is learned from the answers.
    smoothing : float
        Symmetric pseudo-count added to every confusion cell (>= 0).
    diagonal : float
        Extra pseudo-count on the diagonal of every confusion matrix (>= 0).
    shrinkage : float
        Strength, in pseudo-answers per row, of the pooled-confusion prior (>= 0).
    prior_smoothing : float
        Pseudo-count added to every class for the class priors (>= 0).
    init : (n_tasks, n_classes) array-like, optional
        Starting posteriors instead of majority vote.

    Returns
    -------
    DawidSkeneResult
        ``prior_counts`` holds the learned ``alpha`` (zeros with ``prior="fixed"``).

    References
    ----------
    A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates using
    the EM algorithm", Journal of the Royal Statistical Society C 28(1):20-28, 1979.
    H.-C. Kim and Z. Ghahramani, "Bayesian classifier combination", AISTATS 2012 (Dirichlet
    priors on confusion rows); T. P. Minka, "Estimating a Dirichlet distribution", 2000.

    Examples
    --------
    >>> from assay.algorithms.answers import Answers
    >>> answers = Answers([0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2], [1, 1, 0, 0, 0, 0], 2, 3, 2)
    >>> result = dawid_skene(answers)
    >>> result.labels.tolist(), result.converged
    ([1, 0], True)
    """
    answers.require_every_task_answered()
    check_em_parameters(max_iter, tol)
    if prior not in PRIOR_MODES:
        raise InvalidParameterError(f"prior must be one of {PRIOR_MODES}, got {prior!r}")
    for name, value in {
        "smoothing": smoothing, "diagonal": diagonal, "shrinkage": shrinkage,
        "prior_smoothing": prior_smoothing,
    }.items():
        if not np.isfinite(value) or value < 0:
            raise InvalidParameterError(f"{name} must be finite and >= 0, got {value!r}")
    k = answers.n_classes
    fixed_counts = smoothing + diagonal * np.eye(k)
    # The learned prior starts as "one answer per cell, one more on the diagonal".
    learned = np.ones((k, k)) + np.eye(k) if prior == "learned" else np.zeros((k, k))
    m_steps = 0

    def m_step(counts: FloatArray, class_totals: FloatArray) -> tuple[FloatArray, FloatArray]:
        nonlocal learned, m_steps
        if prior == "learned":
            steps = FIRST_PRIOR_STEPS if m_steps == 0 else PRIOR_STEPS
            learned = fit_dirichlet_rows(
                counts, learned, steps=steps, precision_cost=PRECISION_COST
            )
        m_steps += 1
        pseudo = counts + (learned + fixed_counts)
        if shrinkage > 0:
            pooled = counts.sum(axis=0)
            pooled /= np.maximum(pooled.sum(axis=1, keepdims=True), 1e-300)
            pseudo += shrinkage * pooled
        rows = pseudo.sum(axis=2, keepdims=True)
        confusion = np.divide(pseudo, rows, out=np.full_like(pseudo, 1.0 / k), where=rows > 0)
        priors = class_totals + prior_smoothing
        return confusion, priors / priors.sum()

    fit = fit_confusion_model(
        answers, m_step, initial_posteriors(answers, init), max_iter=max_iter, tol=tol
    )
    return DawidSkeneResult(
        labels=labels_from_posteriors(fit.posteriors), posteriors=fit.posteriors,
        iterations=fit.iterations, converged=fit.converged, method="dawid_skene",
        log_likelihood=fit.log_likelihood, confusion=fit.confusion,
        class_priors=fit.class_priors, prior_counts=learned.copy(),
    )
