"""GLAD: worker expertise and task difficulty, fitted by EM."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import Answers
from assay.algorithms.confusion_em import check_em_parameters
from assay.algorithms.dawid_skene import initial_posteriors
from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.results import FloatArray, TruthResult, labels_from_posteriors, softmax_rows

__all__ = ["GladResult", "glad"]

# A Newton step on one parameter never moves it further than this: the Fisher-scoring
# curvature can be tiny for a worker whose answers are all certain.
MAX_STEP = 2.0


@dataclass(frozen=True, eq=False, kw_only=True)
class GladResult(TruthResult):
    """A :class:`TruthResult` with ``expertise[w]`` (alpha; negative means adversarial),
    ``difficulty[t]`` (``1 / beta``: higher is harder) and the ``class_priors``."""

    expertise: FloatArray
    difficulty: FloatArray
    class_priors: FloatArray


def _log_sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(-np.logaddexp(0.0, -x), dtype=np.float64)


def glad(
    answers: Answers,
    *,
    max_iter: int = 100,
    tol: float = 1e-7,
    newton_steps: int = 2,
    expertise_prior: tuple[float, float] = (1.0, 1.0),
    log_inverse_difficulty_prior: tuple[float, float] = (0.0, 1.0),
    prior_smoothing: float = 1.0,
    init: npt.ArrayLike | None = None,
) -> GladResult:
    """GLAD (Generative model of Labels, Abilities and Difficulties), fitted by EM.

    Model: ``z_t ~ Categorical(p)``. Worker ``w`` has expertise ``alpha_w`` and task ``t``
    has inverse difficulty ``beta_t = exp(b_t) > 0``; the worker answers correctly with
    probability ``s = sigmoid(alpha_w * beta_t)`` and otherwise picks one of the ``K - 1``
    wrong classes uniformly. Priors: ``alpha_w ~ N(mu_a, sd_a^2)``, ``b_t ~ N(mu_b, sd_b^2)``.

    E step: ``q[t, k] ∝ p[k] * prod over answers (w, l) of t of
    (s if l == k else (1 - s) / (K - 1))``.

    M step: with ``c`` the posterior that an answer is correct (``q[t, l]``) the expected
    log-likelihood is ``sum c log s + (1 - c) log(1 - s)`` plus the Gaussian log-priors; its
    gradient in ``x = alpha * beta`` is ``c - s``. Instead of gradient ascent, the M step
    takes ``newton_steps`` Fisher-scoring steps alternating between all ``alpha`` and all
    ``b`` (the curvature is ``-sum s (1 - s) beta^2 - 1 / sd_a^2`` for ``alpha_w``, and
    likewise with ``x^2`` for ``b_t``), each a pair of ``bincount`` sums over the answers.
    ``p[k] ∝ sum_t q[t, k] + prior_smoothing``. Starts from majority vote and stops when the
    mean log-likelihood per answer changes by less than ``tol``.

    Parameters
    ----------
    answers : Answers
        Every task must have at least one answer.
    max_iter, tol : int, float
        EM iteration limit and stopping tolerance.
    newton_steps : int
        Fisher-scoring sweeps per M step (>= 1).
    expertise_prior : (mean, sd)
        Gaussian prior of ``alpha``.
    log_inverse_difficulty_prior : (mean, sd)
        Gaussian prior of ``b = log beta``.
    prior_smoothing : float
        Pseudo-count added to every class for the class priors (>= 0).
    init : (n_tasks, n_classes) array-like, optional
        Starting posteriors instead of majority vote.

    Returns
    -------
    GladResult

    References
    ----------
    J. Whitehill, P. Ruvolo, T. Wu, J. Bergsma and J. Movellan, "Whose vote should count more:
    optimal integration of labels from labelers of unknown expertise", NIPS 2009.
    """
    answers.require_every_task_answered()
    check_em_parameters(max_iter, tol)
    mu_a, sd_a = expertise_prior
    mu_b, sd_b = log_inverse_difficulty_prior
    if not (sd_a > 0 and sd_b > 0 and np.isfinite([mu_a, mu_b, sd_a, sd_b]).all()):
        raise InvalidParameterError("prior means must be finite and deviations > 0")
    if newton_steps < 1 or not (np.isfinite(prior_smoothing) and prior_smoothing >= 0):
        raise InvalidParameterError("newton_steps must be >= 1 and prior_smoothing >= 0")
    k, n_t, n_w = answers.n_classes, answers.n_tasks, answers.n_workers
    task, worker, label = answers.task, answers.worker, answers.label
    cell = task * k + label
    log_wrong_share = np.log(k - 1) if k > 1 else 0.0
    alpha = np.full(n_w, mu_a, dtype=np.float64)
    b = np.full(n_t, mu_b, dtype=np.float64)
    posteriors = initial_posteriors(answers, init)
    priors = np.full(k, 1.0 / k)
    previous, log_likelihood, converged, iterations = -np.inf, -np.inf, False, 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        correct = posteriors.ravel()[cell]
        for _ in range(newton_steps):
            beta = np.exp(b)[task]
            s = 1.0 / (1.0 + np.exp(-alpha[worker] * beta))
            gradient = np.bincount(worker, (correct - s) * beta, n_w) - (alpha - mu_a) / sd_a**2
            curvature = np.bincount(worker, s * (1 - s) * beta**2, n_w) + 1 / sd_a**2
            alpha = alpha + np.clip(gradient / curvature, -MAX_STEP, MAX_STEP)
            x = alpha[worker] * beta
            s = 1.0 / (1.0 + np.exp(-x))
            gradient = np.bincount(task, (correct - s) * x, n_t) - (b - mu_b) / sd_b**2
            curvature = np.bincount(task, s * (1 - s) * x**2, n_t) + 1 / sd_b**2
            b = b + np.clip(gradient / curvature, -MAX_STEP, MAX_STEP)
        priors = posteriors.sum(axis=0) + prior_smoothing
        priors = priors / priors.sum()
        x = alpha[worker] * np.exp(b)[task]
        log_right = _log_sigmoid(x)
        log_wrong = _log_sigmoid(-x) - log_wrong_share if k > 1 else np.full_like(x, -np.inf)
        base = np.bincount(task, log_wrong if k > 1 else np.zeros_like(x), n_t)
        bonus = np.bincount(cell, log_right - (log_wrong if k > 1 else 0.0), n_t * k)
        logits = base[:, None] + bonus.reshape(n_t, k) + np.log(np.maximum(priors, 1e-12))
        posteriors, log_normaliser = softmax_rows(logits)
        log_likelihood = float(log_normaliser.sum())
        if abs(log_likelihood - previous) <= tol * answers.n_answers:
            converged = True
            break
        previous = log_likelihood
    return GladResult(
        labels=labels_from_posteriors(posteriors), posteriors=posteriors,
        iterations=iterations, converged=converged, method="glad",
        log_likelihood=log_likelihood, expertise=alpha, difficulty=np.exp(-b),
        class_priors=priors,
    )
