"""MACE: Multi-Annotator Competence Estimation (workers who sometimes spam)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import Answers
from assay.algorithms.confusion_em import check_em_parameters, fit_confusion_model
from assay.algorithms.dawid_skene import initial_posteriors
from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.results import FloatArray, TruthResult, labels_from_posteriors

__all__ = ["MaceResult", "mace"]


@dataclass(frozen=True, eq=False, kw_only=True)
class MaceResult(TruthResult):
    """A :class:`TruthResult` with ``competence[w]``, the probability that worker ``w``
    answers in earnest, and ``strategies[w, l]``, the labels ``w`` picks when spamming."""

    competence: FloatArray
    strategies: FloatArray


def mace(
    answers: Answers,
    *,
    max_iter: int = 100,
    tol: float = 1e-7,
    competence_prior: tuple[float, float] = (1.0, 1.0),
    strategy_smoothing: float = 1.0,
    init: npt.ArrayLike | None = None,
) -> MaceResult:
    """MACE truth inference, fitted by EM.

    Model: the true class ``z_t`` is uniform over the ``K`` classes. For each answer, worker
    ``w`` first flips a coin: with probability ``theta_w`` they answer in earnest and give
    ``z_t``; otherwise they spam and draw the label from their own strategy ``xi_w``. So
    ``P(l | z = k) = theta_w * [l == k] + (1 - theta_w) * xi_w[l]``.

    E step: ``q[t, k] ∝ prod over answers (w, l) of t of P(l | z = k)``; for an answer that
    agrees with ``k`` the chance it was earnest is
    ``r_wl = theta_w / (theta_w + (1 - theta_w) * xi_w[l])``; otherwise it was spam.

    M step (MAP; pseudo-counts ``(c1, c0) = competence_prior``)::

        earnest_w   = sum over w's answers (t, l) of q[t, l] * r_wl
        theta_w     = (earnest_w + c1) / (n_w + c1 + c0)
        xi_w[l]     ∝ (n_wl - sum over w's answers (t, l) of q[t, l] * r_wl) + strategy_smoothing

    Unlike the paper, EM starts once from the majority-vote posteriors instead of from
    random restarts, so the result is deterministic and needs no generator.

    Parameters
    ----------
    answers : Answers
        Every task must have at least one answer.
    max_iter, tol : int, float
        Iteration limit and stopping tolerance (mean log-likelihood per answer).
    competence_prior : (float, float)
        Pseudo-counts of earnest and spam answers added to every worker (both >= 0).
    strategy_smoothing : float
        Pseudo-count added to every label of every strategy (>= 0).
    init : (n_tasks, n_classes) array-like, optional
        Starting posteriors instead of majority vote.

    Returns
    -------
    MaceResult

    References
    ----------
    D. Hovy, T. Berg-Kirkpatrick, A. Vaswani and E. Hovy, "Learning whom to trust with MACE",
    NAACL-HLT 2013, pp. 1120-1130.
    """
    answers.require_every_task_answered()
    check_em_parameters(max_iter, tol)
    earnest_prior, spam_prior = competence_prior
    if min(earnest_prior, spam_prior, strategy_smoothing) < 0 or not np.isfinite(
        [earnest_prior, spam_prior, strategy_smoothing]
    ).all():
        raise InvalidParameterError("MACE pseudo-counts must be finite and >= 0")
    k = answers.n_classes
    w = answers.n_workers
    label_counts = np.bincount(answers.worker * k + answers.label, minlength=w * k)
    label_counts = label_counts.reshape(w, k).astype(np.float64)
    per_worker = label_counts.sum(axis=1)
    competence = np.full(w, 0.5)
    strategies = np.full((w, k), 1.0 / k)
    eye = np.eye(k)
    uniform = np.full(k, 1.0 / k)

    def m_step(counts: FloatArray, class_totals: FloatArray) -> tuple[FloatArray, FloatArray]:
        nonlocal competence, strategies
        agreeing = np.diagonal(counts, axis1=1, axis2=2)  # (w, l): q[t, l] summed
        theta = competence[:, None]
        earnest_share = theta / np.maximum(theta + (1 - theta) * strategies, 1e-300)
        earnest = agreeing * earnest_share
        competence = (earnest.sum(axis=1) + earnest_prior) / np.maximum(
            per_worker + earnest_prior + spam_prior, 1e-300
        )
        spam = np.maximum(label_counts - earnest, 0.0) + strategy_smoothing
        totals = spam.sum(axis=1, keepdims=True)
        strategies = np.divide(spam, totals, out=np.full_like(spam, 1.0 / k), where=totals > 0)
        confusion = (
            competence[:, None, None] * eye
            + (1 - competence)[:, None, None] * strategies[:, None, :]
        )
        return confusion, uniform

    fit = fit_confusion_model(
        answers, m_step, initial_posteriors(answers, init), max_iter=max_iter, tol=tol
    )
    return MaceResult(
        labels=labels_from_posteriors(fit.posteriors), posteriors=fit.posteriors,
        iterations=fit.iterations, converged=fit.converged, method="mace",
        log_likelihood=fit.log_likelihood, competence=competence, strategies=strategies,
    )
