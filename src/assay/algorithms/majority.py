"""Majority vote and weighted majority vote over categorical answers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import Answers
from assay.algorithms.errors import InvalidParameterError, LengthMismatchError
from assay.algorithms.incidence import vote_counts
from assay.algorithms.results import FloatArray, TruthResult, labels_from_posteriors

__all__ = ["WeightedVoteResult", "majority_vote", "weighted_majority_vote"]


@dataclass(frozen=True, eq=False, kw_only=True)
class WeightedVoteResult(TruthResult):
    """A :class:`TruthResult` with the per-worker ``weights`` used for the vote, and
    ``accuracies``, each worker's agreement with the final labels (smoothed)."""

    weights: FloatArray
    accuracies: FloatArray


def _shares(votes: FloatArray, fallback: FloatArray) -> FloatArray:
    totals = votes.sum(axis=1, keepdims=True)
    empty = totals[:, 0] <= 0
    shares = np.divide(votes, totals, out=np.zeros_like(votes), where=totals > 0)
    if empty.any():
        shares[empty] = fallback[empty] / fallback[empty].sum(axis=1, keepdims=True)
    return shares


def majority_vote(answers: Answers) -> TruthResult:
    """Plain majority vote.

    The posterior of a task is the share of its answers that chose each class, and the label
    is the most voted class (ties go to the lowest class code).

    Parameters
    ----------
    answers : Answers
        Every task must have at least one answer.

    Returns
    -------
    TruthResult
        ``iterations`` is 0 and ``converged`` is True: nothing is iterated.

    Examples
    --------
    >>> from assay.algorithms.answers import Answers
    >>> result = majority_vote(Answers([0, 0, 0, 1], [0, 1, 2, 0], [1, 1, 0, 0], 2, 3, 2))
    >>> result.labels.tolist(), result.posteriors[0].round(3).tolist()
    ([1, 0], [0.333, 0.667])
    """
    answers.require_every_task_answered()
    votes = vote_counts(answers)
    posteriors = _shares(votes, votes)
    return TruthResult(
        labels=labels_from_posteriors(posteriors), posteriors=posteriors, iterations=0,
        converged=True, method="majority_vote",
    )


def weighted_majority_vote(
    answers: Answers,
    weights: npt.ArrayLike | None = None,
    *,
    max_iter: int = 20,
    smoothing: float = 1.0,
) -> WeightedVoteResult:
    """Majority vote where each worker's vote counts ``weights[worker]`` times.

    With ``weights=None`` the weights are estimated: starting from the plain majority vote,
    each worker's accuracy against the current labels is smoothed,
    ``a_w = (agree_w + s) / (n_w + 2 s)``, and turned into the log-odds weight of the one-coin
    model, ``max(0, log((K - 1) a_w / (1 - a_w)))`` (a worker no better than chance gets no
    vote); labels and weights alternate until the labels stop changing. This is hard-EM on
    the one-coin model of :func:`~assay.algorithms.one_coin.one_coin_dawid_skene`.

    The posterior is the weighted vote share (the unweighted share where every voter of a task
    has weight 0).

    Parameters
    ----------
    answers : Answers
    weights : (n_workers,) array-like of non-negative floats, optional
        Fixed weights; when given, nothing is iterated.
    max_iter : int
        Iteration limit for the estimated weights.
    smoothing : float
        The pseudo-count ``s`` above (> 0).

    Returns
    -------
    WeightedVoteResult
    """
    answers.require_every_task_answered()
    if max_iter < 1:
        raise InvalidParameterError("max_iter must be >= 1")
    if smoothing <= 0:
        raise InvalidParameterError("smoothing must be > 0")
    plain = vote_counts(answers)  # the unweighted votes, for tasks whose voters all weigh 0
    k = answers.n_classes
    per_worker = np.bincount(answers.worker, minlength=answers.n_workers).astype(np.float64)

    def accuracies_of(labels: npt.NDArray[np.int64]) -> FloatArray:
        agree = np.bincount(
            answers.worker, weights=(answers.label == labels[answers.task]).astype(np.float64),
            minlength=answers.n_workers,
        )
        return np.asarray((agree + smoothing) / (per_worker + 2 * smoothing), dtype=np.float64)

    if weights is not None:
        fixed = np.asarray(weights, dtype=np.float64)
        if fixed.shape != (answers.n_workers,):
            raise LengthMismatchError(f"weights must have shape ({answers.n_workers},)")
        if not np.all(np.isfinite(fixed)) or (fixed < 0).any():
            raise InvalidParameterError("weights must be finite and non-negative")
        posteriors = _shares(vote_counts(answers, fixed), plain)
        labels = labels_from_posteriors(posteriors)
        return WeightedVoteResult(
            labels=labels, posteriors=posteriors, iterations=0, converged=True,
            method="weighted_majority_vote", weights=fixed.copy(),
            accuracies=accuracies_of(labels),
        )

    labels = labels_from_posteriors(_shares(plain, plain))
    converged = False
    iterations = 0
    current = np.ones(answers.n_workers)
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        accuracy = accuracies_of(labels)
        if k == 1:  # one class: every vote agrees, weights are moot
            current = np.ones(answers.n_workers)
        else:
            current = np.maximum(0.0, np.log((k - 1) * accuracy / (1.0 - accuracy)))
        posteriors = _shares(vote_counts(answers, current), plain)
        new_labels = labels_from_posteriors(posteriors)
        if np.array_equal(new_labels, labels):
            converged = True
            break
        labels = new_labels
    posteriors = _shares(vote_counts(answers, current), plain)
    labels = labels_from_posteriors(posteriors)
    return WeightedVoteResult(
        labels=labels, posteriors=posteriors, iterations=iterations, converged=converged,
        method="weighted_majority_vote", weights=current, accuracies=accuracies_of(labels),
    )
