"""The Davidson log-likelihood and its Newton solver, for many sets of pair counts at once.

With ``θ = ln π`` (natural-log strengths) and ``d = θ_i - θ_j``, a pair's counts have the
log-likelihood ``(W_i - W_j)·d/2 + T·ln nu - N·ln(2·cosh(d/2) + nu)``, concave in
``(θ, ln nu)``. Its negative Hessian in ``θ`` is a graph Laplacian weighted by
``N·(1 + nu·cosh(d/2)/2) / (2·cosh(d/2) + nu)²`` per pair, bordered by the row and column of
``ln nu``. Every round (a bootstrap resample) has the same pairs, so the rounds' systems are
built with one scatter and solved as one stack (``numpy.linalg.solve``), and a round leaves
the stack once its step falls below the tolerance. Each step is a Newton step halved until
the objective does not fall (a backtracking line search); the gradient and the step are
orthogonal to the all-ones direction, so the strengths stay centred.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from assay.algorithms.battles import PairCounts
from assay.algorithms.results import FloatArray

SCALE = 400.0 / math.log(10.0)
"""Elo points per natural-log unit of strength."""
MEAN_RATING = 1000.0

__all__ = ["MEAN_RATING", "SCALE", "BatchFit", "fit_pair_counts"]

@dataclass(frozen=True, eq=False)
class BatchFit:
    """Fits of ``rounds`` sets of counts over the same pairs: ``theta`` (rounds, n) are
    centred natural-log strengths, ``tie_strength`` (rounds,) Davidson's ``nu``."""

    theta: FloatArray
    tie_strength: FloatArray
    iterations: npt.NDArray[np.int64]
    converged: npt.NDArray[np.bool_]
    log_likelihood: FloatArray

    @property
    def ratings(self) -> FloatArray:
        return MEAN_RATING + SCALE * self.theta



def fit_pair_counts(
    pairs: PairCounts,
    first_wins: FloatArray,
    second_wins: FloatArray,
    ties: FloatArray,
    *,
    precision: float,
    max_iter: int,
    tol: float,
    start: FloatArray | None = None,
    start_tie_strength: float | None = None,
) -> BatchFit:
    """Fit each row of the ``(rounds, n_pairs)`` count arrays on the pairs of ``pairs``.

    No precondition is checked here: a round whose graph is not strongly connected and has
    no prior drifts until ``max_iter`` and is reported as not converged. ``start`` (n,) is
    a warm start in natural-log strengths, ``start_tie_strength`` one for ``nu``.
    """
    n, rounds = pairs.n_models, first_wins.shape[0]
    p = pairs.first.size
    incidence = sp.csr_matrix(
        (np.r_[np.ones(p), -np.ones(p)], (np.r_[pairs.first, pairs.second], np.r_[0:p, 0:p])),
        shape=(n, p))
    touches = abs(incidence)
    data = _Counts((first_wins - second_wins) / 2, first_wins + second_wins + ties,
                   ties.sum(axis=1))
    decisive = (first_wins + second_wins).sum(axis=1)
    free = (data.tie_total > 0) & (decisive > 0)

    theta = np.zeros((rounds, n)) if start is None else np.tile(start - start.mean(), (rounds, 1))
    if start_tie_strength is not None and 0 < start_tie_strength < np.inf:
        log_nu = np.full(rounds, math.log(start_tie_strength))
    else:  # nu's estimate when every model is equal: P(tie) = nu / (2 + nu)
        share = data.tie_total / np.maximum(data.total.sum(axis=1), 1.0)
        log_nu = np.log(np.maximum(2 * share, 1e-300) / np.maximum(1 - share, 1e-300))
    log_nu = np.where(free, log_nu, 0.0)

    system = _System(pairs.first, pairs.second, n, incidence, touches, precision)
    value = system.objective(theta, log_nu, free, data)
    iterations = np.zeros(rounds, dtype=np.int64)
    converged = np.zeros(rounds, dtype=np.bool_)
    active = np.arange(rounds)
    limit = tol / SCALE
    for step_number in range(1, max_iter + 1):
        if active.size == 0:
            break
        sub = data.take(active)
        d_theta, d_nu = system.newton_step(theta[active], log_nu[active], free[active], sub)
        step = np.ones(active.size)
        for _ in range(40):  # backtracking: never accept a step that lowers the objective
            new_theta = theta[active] + step[:, None] * d_theta
            new_nu = log_nu[active] + step * d_nu
            new_value = system.objective(new_theta, new_nu, free[active], sub)
            worse = new_value < value[active] - 1e-10 * (1 + np.abs(value[active]))
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
        theta[active] = new_theta - new_theta.mean(axis=1, keepdims=True)
        log_nu[active] = new_nu
        value[active] = new_value
        iterations[active] = step_number
        moved = np.maximum(np.abs(step[:, None] * d_theta).max(axis=1, initial=0.0),
                           np.abs(step * d_nu))
        done = moved < limit
        converged[active[done]] = True
        active = active[~done]

    tie_strength = np.where(free, np.exp(log_nu), np.where(data.tie_total > 0, np.inf, 0.0))
    return BatchFit(theta, tie_strength, iterations, converged, value)


@dataclass(frozen=True)
class _Counts:
    net: FloatArray  # (rounds, pairs): (first's wins - second's wins) / 2
    total: FloatArray  # (rounds, pairs): battles
    tie_total: FloatArray  # (rounds,)

    def take(self, rows: npt.NDArray[np.int64]) -> _Counts:
        if rows.size == self.net.shape[0]:
            return self
        return _Counts(self.net[rows], self.total[rows], self.tie_total[rows])


class _System:
    """The objective, gradient and Hessian of the Davidson log-likelihood, many rounds at a
    time. Terms are written in ``e = exp(-|d|/2)`` so that no cosh overflows."""

    def __init__(self, first: npt.NDArray[np.int64], second: npt.NDArray[np.int64], n: int,
                 incidence: sp.csr_matrix, touches: sp.csr_matrix, precision: float) -> None:
        self.first, self.second, self.n = first, second, n
        self.incidence, self.touches, self.precision = incidence, touches, precision
        size = n + 1
        self.upper = first * size + second
        self.lower = second * size + first
        self.diagonal = np.arange(n) * (size + 1)

    def _terms(self, theta: FloatArray, log_nu: FloatArray, free: npt.NDArray[np.bool_]
               ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        d = theta[:, self.first] - theta[:, self.second]
        half = np.abs(d) / 2
        e = np.exp(-half)
        nu = np.where(free, np.exp(log_nu), 0.0)[:, None]
        q = 1 + e * e + nu * e  # D = 2 cosh(d/2) + nu = q / e
        return d, e, nu, q

    def objective(self, theta: FloatArray, log_nu: FloatArray, free: npt.NDArray[np.bool_],
                  data: _Counts) -> FloatArray:
        d, _, _, q = self._terms(theta, log_nu, free)
        log_d = np.abs(d) / 2 + np.log(q)
        value = (data.net * d - data.total * log_d).sum(axis=1)
        value += np.where(free, data.tie_total * log_nu, 0.0)
        return np.asarray(value - self.precision / 2 * (theta * theta).sum(axis=1))

    def newton_step(self, theta: FloatArray, log_nu: FloatArray, free: npt.NDArray[np.bool_],
                    data: _Counts) -> tuple[FloatArray, FloatArray]:
        rounds, n = theta.shape
        size = n + 1
        d, e, nu, q = self._terms(theta, log_nu, free)
        e2 = e * e
        per_q = data.total / q
        per_q2 = per_q / q
        odd = np.copysign(1 - e2, d)  # 2·sinh(d/2)·e
        nu_e = nu * e
        grad_d = data.net - 0.5 * per_q * odd
        weight = per_q2 * (e2 + 0.25 * nu_e * (1 + e2))  # -∂²L/∂d²
        cross = 0.5 * per_q2 * nu_e * odd  # ∂²L/∂d∂(ln nu)
        nu_nu = (per_q2 * nu_e * (1 + e2)).sum(axis=1)
        nu_grad = data.tie_total - (per_q * nu_e).sum(axis=1)
        diagonal = (self.touches @ weight.T).T
        # The likelihood only sees differences: a constant added to every θ is fixed by
        # the all-ones term (the gradient is orthogonal to it, so the step is too), and a
        # tiny ridge keeps a resample whose graph fell apart solvable.
        scale = np.maximum(diagonal.mean(axis=1), 1.0)
        matrix = np.empty((rounds, size, size))
        matrix[:, :n, :n] = (scale / n)[:, None, None]
        flat = matrix.reshape(rounds, size * size)
        flat[:, self.upper] -= weight
        flat[:, self.lower] -= weight
        flat[:, self.diagonal] += diagonal + self.precision + 1e-10 * scale[:, None]
        border = np.where(free[:, None], -(self.incidence @ cross.T).T, 0.0)
        matrix[:, :n, n] = border
        matrix[:, n, :n] = border
        matrix[:, n, n] = np.where(free, nu_nu, 1.0)
        gradient = np.empty((rounds, size))
        gradient[:, :n] = (self.incidence @ grad_d.T).T - self.precision * theta
        gradient[:, n] = np.where(free, nu_grad, 0.0)
        solution = np.linalg.solve(matrix, gradient[:, :, None])[:, :, 0]
        return solution[:, :n], solution[:, n]
