"""Vectors for semantic search and near-duplicates by embedding: a hashing text vectorizer
(the built-in embedding model that needs no download), exact nearest neighbours by a
blocked matrix product, and every pair above a cosine similarity.

Exact search is one matrix product per block of stored vectors: ``n`` vectors of dimension
``d`` cost ``n * d`` multiply-adds per query (384 x 1,000,000 = 0.4 GFLOP, well under a
second on one core with BLAS), and memory stays at one block of scores. An approximate index
(HNSW, IVF) pays off past a few million vectors per project, or when queries come faster
than one per such product; docs/curation.md says when.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.shingles import mix64, word_hashes

__all__ = ["Neighbours", "hashing_vectors", "nearest", "normalize_rows", "pairs_above"]

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

_NON_WORD = re.compile(r"[^\w]+")


def normalize_rows(vectors: npt.ArrayLike) -> FloatArray:
    """A float32 copy with every row of unit length (a zero row stays zero)."""
    v = np.array(vectors, dtype=np.float32, copy=True, ndmin=2)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    np.divide(v, norms, out=v, where=norms > 0)
    return v


def hashing_vectors(texts: Sequence[str], dim: int = 512) -> FloatArray:
    """Unit vectors of ``texts``: lower-cased words (runs of letters and digits) and word
    bigrams, each hashed to one of ``dim`` signed buckets, weighted ``1 + log(count)``.

    Texts that share words point the same way, so search and near-duplicates work without a
    model; it knows no synonyms (a paraphrase with other words scores low), which is what the
    MiniLM model adds. Columnar: every word of the batch is hashed in one array
    (:func:`~assay.algorithms.shingles.word_hashes`), the grams counted per text by one sort.

    Examples
    --------
    >>> v = hashing_vectors(["The cat sat.", "the cat  sat", "dogs bark loudly"], dim=64)
    >>> round(float(v[0] @ v[1]), 6), bool(abs(v[0] @ v[2]) < 0.5)
    (1.0, True)
    """
    if dim < 2:
        raise InvalidParameterError(f"dim must be at least 2, got {dim}")
    n = len(texts)
    out = np.zeros((n, dim), dtype=np.float32)
    if n == 0:
        return out
    words, doc = word_hashes([_NON_WORD.sub(" ", t.lower()) for t in texts])
    same = doc[1:] == doc[:-1]
    bigrams = mix64(words[:-1] * np.uint64(0x9E3779B97F4A7C15) + words[1:])[same]
    grams = np.concatenate((words, bigrams))
    gram_doc = np.concatenate((doc, doc[1:][same]))
    if grams.size == 0:
        return out
    order = np.lexsort((grams, gram_doc))
    grams, gram_doc = grams[order], gram_doc[order]
    opens = np.ones(grams.size, dtype=bool)
    opens[1:] = (grams[1:] != grams[:-1]) | (gram_doc[1:] != gram_doc[:-1])
    starts = np.flatnonzero(opens)
    counts = np.diff(np.append(starts, grams.size))
    g, d = grams[starts], gram_doc[starts]
    bucket = (g % np.uint64(dim)).astype(np.int64)
    sign = np.where((g >> np.uint64(63)) == 1, 1.0, -1.0)
    np.add.at(out, (d, bucket), (sign * (1.0 + np.log(counts))).astype(np.float32))
    return normalize_rows(out)


@dataclass(frozen=True)
class Neighbours:
    """For each query ``q``: ``index[q]`` the nearest stored rows, best first, and
    ``score[q]`` their cosine similarities."""

    index: IntArray
    score: FloatArray


def nearest(queries: npt.ArrayLike, matrix: npt.ArrayLike, k: int, *,
            block: int = 65_536) -> Neighbours:
    """The ``k`` stored rows most similar (cosine) to each query, exactly.

    Rows are normalised here (copies; the inputs are not changed). Ties go to the lower
    index. Scores are computed block by block of ``block`` stored rows and merged, so
    memory is ``n_queries * (block + k)`` scores whatever the number of rows.

    Examples
    --------
    >>> m = [[1, 0], [0.6, 0.8], [0, 1]]
    >>> found = nearest([[0.8, 0.6]], m, 2)
    >>> found.index.tolist(), found.score.astype(float).round(2).tolist()
    ([[1, 0]], [[0.96, 0.8]])
    """
    q = normalize_rows(queries)
    m = normalize_rows(matrix)
    if q.shape[1] != m.shape[1]:
        raise InvalidParameterError(f"queries have dimension {q.shape[1]}, stored rows "
                                    f"{m.shape[1]}")
    if k < 1 or block < 1:
        raise InvalidParameterError("k and block must be at least 1")
    k = min(k, m.shape[0])
    best_score = np.full((q.shape[0], 0), -np.inf, dtype=np.float32)
    best_index = np.zeros((q.shape[0], 0), dtype=np.int64)
    for start in range(0, m.shape[0], block):
        scores = q @ m[start:start + block].T
        index = np.broadcast_to(np.arange(start, start + scores.shape[1]), scores.shape)
        scores = np.concatenate((best_score, scores), axis=1)
        index = np.concatenate((best_index, index), axis=1)
        if scores.shape[1] > k:
            keep = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            scores = np.take_along_axis(scores, keep, axis=1)
            index = np.take_along_axis(index, keep, axis=1)
        best_score, best_index = scores, index
    order = np.lexsort((best_index, -best_score), axis=1) if best_score.size else best_index
    return Neighbours(np.take_along_axis(best_index, order, axis=1).astype(np.int64),
                      np.take_along_axis(best_score, order, axis=1))


def pairs_above(matrix: npt.ArrayLike, threshold: float, *,
                block: int = 4096) -> tuple[IntArray, IntArray, FloatArray]:
    """Every pair ``a < b`` of rows whose cosine similarity is at least ``threshold``,
    sorted by ``(a, b)``: one block of rows against the rows after it at a time.

    Examples
    --------
    >>> a, b, s = pairs_above([[1, 0], [0.99, 0.14], [0, 1]], 0.95)
    >>> a.tolist(), b.tolist(), s.astype(float).round(2).tolist()
    ([0], [1], [0.99])
    """
    if not -1.0 <= threshold <= 1.0:
        raise InvalidParameterError(f"threshold must be in [-1, 1], got {threshold}")
    m = normalize_rows(matrix)
    found_a, found_b, found_s = [], [], []
    for start in range(0, m.shape[0], block):
        scores = m[start:start + block] @ m[start:].T
        rows, cols = np.nonzero(scores >= np.float32(threshold))
        keep = cols > rows  # b after a (within the block's own square, above its diagonal)
        found_a.append(rows[keep] + start)
        found_b.append(cols[keep] + start)
        found_s.append(scores[rows[keep], cols[keep]])
    if not found_a:
        return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
    a = np.concatenate(found_a).astype(np.int64)
    b = np.concatenate(found_b).astype(np.int64)
    s = np.concatenate(found_s).astype(np.float32)
    order = np.lexsort((b, a))
    return a[order], b[order], s[order]
