"""Sparse incidence matrices that turn the per-answer sums of EM into matrix products.

Most E and M steps are sums over answers grouped by task or by (worker, label). Writing them
as products with a sparse task x (worker, label) count matrix keeps every iteration a couple
of sparse-dense products over the answers, with no Python loop and no ``groupby``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from assay.algorithms.answers import Answers
from assay.algorithms.results import FloatArray

__all__ = ["VoteMatrices", "vote_counts", "vote_matrices"]


class VoteMatrices:
    """``by_task`` is ``n_tasks x (n_workers * n_classes)``: entry ``(t, w * K + l)`` counts
    how often worker ``w`` gave task ``t`` the label ``l``. ``by_cell`` is its transpose
    (a CSC view of the same arrays, so building it costs nothing)."""

    def __init__(self, answers: Answers) -> None:
        k = answers.n_classes
        cells = answers.worker * k + answers.label
        ones = np.ones(answers.n_answers, dtype=np.float64)
        shape = (answers.n_tasks, answers.n_workers * k)
        coo = sp.coo_matrix((ones, (answers.task, cells)), shape=shape)
        self.by_task: sp.csr_matrix = coo.tocsr()
        self.by_cell: sp.csc_matrix = self.by_task.T
        self.n_workers = answers.n_workers
        self.n_classes = k

    def task_scores(self, cell_scores: FloatArray) -> FloatArray:
        """Sum ``cell_scores[w * K + l]`` (rows of shape (K,)) over each task's answers."""
        return np.asarray(self.by_task @ cell_scores, dtype=np.float64)

    def cell_totals(self, task_weights: FloatArray) -> FloatArray:
        """Sum ``task_weights[t]`` over each (worker, label) cell's answers."""
        return np.asarray(self.by_cell @ task_weights, dtype=np.float64)


def vote_matrices(answers: Answers) -> VoteMatrices:
    """Build the :class:`VoteMatrices` of ``answers``."""
    return VoteMatrices(answers)


def vote_counts(answers: Answers, weights: FloatArray | None = None) -> FloatArray:
    """``(n_tasks, n_classes)`` array of (optionally per-worker weighted) votes per class."""
    k = answers.n_classes
    answer_weights = None if weights is None else weights[answers.worker]
    flat = np.bincount(
        answers.task * k + answers.label, weights=answer_weights, minlength=answers.n_tasks * k
    )
    return flat.reshape(answers.n_tasks, k).astype(np.float64)
