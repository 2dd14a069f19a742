"""One-coin Dawid-Skene: a single accuracy per worker, errors spread evenly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import Answers
from assay.algorithms.confusion_em import check_em_parameters, fit_confusion_model
from assay.algorithms.dawid_skene import initial_posteriors
from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.results import FloatArray, TruthResult, labels_from_posteriors

__all__ = ["OneCoinResult", "one_coin_dawid_skene"]


@dataclass(frozen=True, eq=False, kw_only=True)
class OneCoinResult(TruthResult):
    """A :class:`TruthResult` with ``skills[w]``, worker ``w``'s probability of answering
    correctly, and the ``class_priors``."""

    skills: FloatArray
    class_priors: FloatArray


def one_coin_dawid_skene(
    answers: Answers,
    *,
    max_iter: int = 100,
    tol: float = 1e-7,
    smoothing: float = 1.0,
    prior_smoothing: float = 1.0,
    init: npt.ArrayLike | None = None,
) -> OneCoinResult:
    """One-coin Dawid-Skene, fitted by EM.

    Model: ``z_t ~ Categorical(p)``; worker ``w`` answers the true class with probability
    ``a_w`` and each of the other ``K - 1`` classes with probability ``(1 - a_w) / (K - 1)``.
    This is Dawid-Skene with the confusion matrix tied to one number per worker, which needs
    far fewer answers per worker to estimate.

    E step: ``q[t, k] ∝ p[k] * prod over answers (w, l) of t of
    (a_w if l == k else (1 - a_w) / (K - 1))``.

    M step (MAP with a ``Beta(1 + smoothing, 1 + smoothing)`` prior)::

        a_w = (sum over w's answers of q[t, l] + smoothing) / (n_w + 2 * smoothing)
        p[k] ∝ sum_t q[t, k] + prior_smoothing

    Starts from majority-vote posteriors; stops when the mean log-likelihood per answer
    changes by less than ``tol``.

    Parameters
    ----------
    answers : Answers
        Every task must have at least one answer.
    max_iter, tol : int, float
        Iteration limit and stopping tolerance.
    smoothing : float
        Pseudo-count for the accuracies (>= 0).
    prior_smoothing : float
        Pseudo-count for the class priors (>= 0).
    init : (n_tasks, n_classes) array-like, optional
        Starting posteriors instead of majority vote.

    Returns
    -------
    OneCoinResult

    References
    ----------
    A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates using
    the EM algorithm", JRSS C 28(1), 1979; the one-coin restriction as analysed in
    Y. Zhang, X. Chen, D. Zhou and M. I. Jordan, "Spectral methods meet EM: a provably optimal
    algorithm for crowdsourcing", NIPS 2014.
    """
    answers.require_every_task_answered()
    check_em_parameters(max_iter, tol)
    if not (np.isfinite(smoothing) and smoothing >= 0):
        raise InvalidParameterError("smoothing must be finite and >= 0")
    if not (np.isfinite(prior_smoothing) and prior_smoothing >= 0):
        raise InvalidParameterError("prior_smoothing must be finite and >= 0")
    k = answers.n_classes
    per_worker = np.bincount(answers.worker, minlength=answers.n_workers).astype(np.float64)
    eye = np.eye(k, dtype=bool)
    skills = np.full(answers.n_workers, 0.5)

    def m_step(counts: FloatArray, class_totals: FloatArray) -> tuple[FloatArray, FloatArray]:
        nonlocal skills
        correct = np.trace(counts, axis1=1, axis2=2)
        skills = (correct + smoothing) / np.maximum(per_worker + 2 * smoothing, 1e-300)
        wrong = (1.0 - skills) / (k - 1) if k > 1 else np.zeros_like(skills)
        confusion = np.where(eye, skills[:, None, None], wrong[:, None, None])
        priors = class_totals + prior_smoothing
        return confusion, priors / priors.sum()

    fit = fit_confusion_model(
        answers, m_step, initial_posteriors(answers, init), max_iter=max_iter, tol=tol
    )
    return OneCoinResult(
        labels=labels_from_posteriors(fit.posteriors), posteriors=fit.posteriors,
        iterations=fit.iterations, converged=fit.converged, method="one_coin_dawid_skene",
        log_likelihood=fit.log_likelihood, skills=skills, class_priors=fit.class_priors,
    )
