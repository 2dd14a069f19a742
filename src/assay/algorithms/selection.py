"""Active selection: which pending items to label first.

- :func:`uncertainty_order` — by the margin between a model's two most probable classes
  (smallest first): the items the model is least sure of teach it most (margin sampling,
  Scheffer et al., 2001).
- :func:`diversity_order` — greedy farthest-point traversal of the embeddings (the k-center
  greedy of Sener and Savarese, 2018): each next item is the one farthest (in cosine
  distance) from every item chosen before, so the first few cover the data's clusters
  instead of many items of one.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.vectors import normalize_rows

__all__ = ["diversity_order", "margins", "uncertainty_order"]

IntArray = npt.NDArray[np.int64]


def margins(probs: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """``p(best) - p(second best)`` per row (1 for a single class).

    Examples
    --------
    >>> margins([[0.5, 0.3, 0.2], [0.9, 0.05, 0.05]]).round(2).tolist()
    [0.2, 0.85]
    """
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] < 1:
        raise InvalidParameterError(f"need probabilities (n, K), got shape {p.shape}")
    if p.shape[1] == 1:
        return np.ones(p.shape[0])
    top = -np.partition(-p, 1, axis=1)[:, :2]
    result: npt.NDArray[np.float64] = top[:, 0] - top[:, 1]
    return result


def uncertainty_order(probs: npt.ArrayLike) -> IntArray:
    """Row indices, most uncertain (smallest margin) first; ties by index.

    Examples
    --------
    >>> uncertainty_order([[0.9, 0.1], [0.5, 0.5], [0.6, 0.4]]).tolist()
    [1, 2, 0]
    """
    m = margins(probs)
    return np.lexsort((np.arange(m.size), m)).astype(np.int64)


def diversity_order(vectors: npt.ArrayLike, k: int | None = None) -> IntArray:
    """The first ``k`` (default all) rows in farthest-point order, starting from the row
    nearest the mean direction; cost ``O(n * k * d)``.

    Examples
    --------
    >>> diversity_order([[1, 0], [0.99, 0.1], [0, 1], [0.7, 0.7]]).tolist()
    [3, 0, 2, 1]
    """
    v = normalize_rows(vectors)
    n = v.shape[0]
    k = n if k is None else min(k, n)
    if k < 0:
        raise InvalidParameterError(f"k must be >= 0, got {k}")
    if n == 0 or k == 0:
        return np.zeros(0, dtype=np.int64)
    centre = v.mean(axis=0)
    first = int(np.argmax(v @ centre))
    chosen = [first]
    nearest = 1.0 - v @ v[first]
    nearest[first] = -1.0
    for _ in range(k - 1):
        nxt = int(np.argmax(nearest))
        chosen.append(nxt)
        nearest = np.minimum(nearest, 1.0 - v @ v[nxt])
        nearest[chosen] = -1.0
    return np.asarray(chosen, dtype=np.int64)
