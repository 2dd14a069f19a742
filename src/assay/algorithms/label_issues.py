"""Label issues: which given labels are probably wrong.

Two miners, both on integer-coded arrays:

- :func:`confident_learning_issues` — from a model's predicted class probabilities, by
  confident learning (Northcutt, Jiang and Chuang, "Confident learning: estimating
  uncertainty in dataset labels", JAIR 70, 2021): class ``j``'s threshold is the mean
  predicted probability of ``j`` over the examples *given* ``j``; an example is confidently
  of class ``j`` when ``p[i, j]`` reaches that threshold (the most probable such class when
  several do); an example confidently of a class other than its given one is an issue (the
  off-diagonal of the *confident joint*, cleanlab's ``filter_by="confident_learning"``).
  Per-class thresholds absorb a model that is over- or under-confident about one class.
- :func:`worker_model_issues` — from a truth-inference fit (Dawid-Skene posteriors and each
  worker's estimated accuracy): a result whose label has a low posterior, or that a
  confident worker (high estimated accuracy on enough answers) contradicted.

Both return the issues ordered by index with a score in ``[0, 1]``: the probability (by the
model, or by the fit) that the given label is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.errors import InvalidParameterError

__all__ = ["LabelIssues", "class_thresholds", "confident_learning_issues",
           "worker_model_issues"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class LabelIssues:
    """Examples ``index`` (ascending) whose given label is probably wrong: ``score`` the
    probability that it is, ``suggested`` the label the miner believes (a class code), and
    ``reason`` a code per issue (see each miner)."""

    index: IntArray
    score: FloatArray
    suggested: IntArray
    reason: tuple[str, ...]


def _check(probs: npt.ArrayLike, given: npt.ArrayLike) -> tuple[FloatArray, IntArray]:
    p = np.asarray(probs, dtype=np.float64)
    g = np.asarray(given)
    if p.ndim != 2 or g.ndim != 1 or p.shape[0] != g.shape[0]:
        raise InvalidParameterError(f"need probabilities (n, K) and n given labels, got "
                                    f"{p.shape} and {g.shape}")
    if not np.all(np.isfinite(p)) or (p.size and (p.min() < 0 or p.max() > 1)):
        raise InvalidParameterError("probabilities must be finite and in [0, 1]")
    if g.size and (not np.issubdtype(g.dtype, np.integer) or g.min() < 0
                   or g.max() >= p.shape[1]):
        raise InvalidParameterError(f"given labels must be class codes 0..{p.shape[1] - 1}")
    return p, g.astype(np.int64)


def class_thresholds(probs: npt.ArrayLike, given: npt.ArrayLike) -> FloatArray:
    """Per-class thresholds ``t[j]`` = mean of ``probs[i, j]`` over the examples given ``j``;
    ``inf`` for a class no example is given (nobody is confidently of it).

    Examples
    --------
    >>> class_thresholds([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]], [0, 0, 1]).tolist()
    [0.75, 0.8]
    """
    p, g = _check(probs, given)
    sums = np.zeros(p.shape[1])
    counts = np.bincount(g, minlength=p.shape[1]).astype(np.float64)
    np.add.at(sums, g, p[np.arange(g.size), g])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.inf)


def confident_learning_issues(probs: npt.ArrayLike, given: npt.ArrayLike) -> LabelIssues:
    """The examples whose confident class differs from their given label.

    Parameters
    ----------
    probs : (n, K) array-like
        Out-of-sample predicted probabilities (rows need not sum to one exactly).
    given : (n,) array-like of int
        The given labels, as class codes.

    Returns
    -------
    LabelIssues
        ``suggested`` the confident class, ``score`` ``1 - probs[i, given[i]]``, every
        ``reason`` ``"confident_learning"``.

    Examples
    --------
    >>> issues = confident_learning_issues(
    ...     [[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.95, 0.05]], [0, 0, 1, 1])
    >>> issues.index.tolist(), issues.suggested.tolist(), issues.score.round(2).tolist()
    ([3], [0], [0.95])
    """
    p, g = _check(probs, given)
    thresholds = class_thresholds(p, g)
    above = p >= thresholds[None, :]
    masked = np.where(above, p, -1.0)
    confident = np.argmax(masked, axis=1) if p.size else np.zeros(0, dtype=np.int64)
    has = above.any(axis=1)
    wrong = np.flatnonzero(has & (confident != g))
    score = 1.0 - p[wrong, g[wrong]]
    return LabelIssues(wrong.astype(np.int64), score, confident[wrong].astype(np.int64),
                       ("confident_learning",) * wrong.size)


def worker_model_issues(posteriors: npt.ArrayLike, result: npt.ArrayLike,
                        task: npt.ArrayLike, worker: npt.ArrayLike, label: npt.ArrayLike,
                        worker_accuracy: npt.ArrayLike, worker_answers: npt.ArrayLike, *,
                        min_posterior: float = 0.5, confident_accuracy: float = 0.9,
                        min_answers: int = 10) -> LabelIssues:
    """Results the crowd's fit doubts.

    A task's result (class code ``result[t]``) is an issue when its posterior
    ``posteriors[t, result[t]]`` is below ``min_posterior`` (reason ``"low_posterior"``), or
    when a confident worker — estimated accuracy at least ``confident_accuracy`` on at least
    ``min_answers`` answers — answered it with another label (``"confident_worker_disagrees"``;
    the low posterior wins when both hold). ``score`` is ``1 - posteriors[t, result[t]]``;
    ``suggested`` the most probable class, or the confident worker's label when the
    posterior's own best is the result.

    Parameters
    ----------
    posteriors : (n_tasks, K) array-like
    result : (n_tasks,) array-like of int
        The result's class code per task, ``-1`` where the task has no categorical result
        (it is skipped).
    task, worker, label : (n_answers,) array-like of int
        The answers.
    worker_accuracy, worker_answers : (n_workers,) array-like
        Each worker's estimated accuracy and the number of answers behind it.

    Examples
    --------
    >>> issues = worker_model_issues([[0.9, 0.1], [0.4, 0.6], [0.7, 0.3]], [0, 0, 0],
    ...                              [0, 1, 2, 2], [0, 0, 0, 1], [0, 0, 0, 1],
    ...                              [0.6, 0.95], [30, 40])
    >>> issues.index.tolist(), issues.reason
    ([1, 2], ('low_posterior', 'confident_worker_disagrees'))
    """
    q = np.asarray(posteriors, dtype=np.float64)
    r = np.asarray(result, dtype=np.int64)
    t, w, lab = (np.asarray(x, dtype=np.int64) for x in (task, worker, label))
    acc = np.asarray(worker_accuracy, dtype=np.float64)
    n_ans = np.asarray(worker_answers, dtype=np.float64)
    if q.ndim != 2 or r.shape != (q.shape[0],):
        raise InvalidParameterError(f"need posteriors (n, K) and n results, got {q.shape} "
                                    f"and {r.shape}")
    if not (t.shape == w.shape == lab.shape) or acc.shape != n_ans.shape:
        raise InvalidParameterError("answers and worker arrays must match in length")
    valid = r >= 0
    own = np.zeros(q.shape[0])
    own[valid] = q[np.flatnonzero(valid), r[valid]]
    low = valid & (own < min_posterior)
    confident = (acc >= confident_accuracy) & (n_ans >= min_answers)
    disagree_answer = confident[w] & valid[t] & (lab != np.where(valid[t], r[t], -1))
    disagrees = np.zeros(q.shape[0], dtype=bool)
    disagrees[t[disagree_answer]] = True
    their_label = np.full(q.shape[0], -1, dtype=np.int64)
    their_label[t[disagree_answer]] = lab[disagree_answer]
    flagged = np.flatnonzero(low | disagrees)
    best = np.argmax(q, axis=1) if q.size else np.zeros(0, dtype=np.int64)
    suggested = np.where((best == r) & (their_label >= 0), their_label, best)[flagged]
    reasons = tuple("low_posterior" if low[i] else "confident_worker_disagrees"
                    for i in flagged.tolist())
    return LabelIssues(flagged.astype(np.int64), 1.0 - own[flagged],
                       suggested.astype(np.int64), reasons)
