"""MinHash signatures and LSH banding: which document pairs are worth comparing exactly.

MinHash (Broder 1997): for a random permutation ``π`` of the shingle universe, the first
shingle of ``A | B`` under ``π`` lies in ``A & B`` with probability ``J(A, B)``, so two
documents agree on ``min π(A) = min π(B)`` with probability their Jaccard similarity ``s``.
Banding (Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3): ``b`` bands of
``r`` such minima each; a pair is a candidate when all ``r`` minima of at least one band
agree, which happens with probability

.. math:: P(s) = 1 - (1 - s^r)^b,

an S-curve in ``s``. :func:`plan_lsh` picks ``r`` and ``b`` so that ``P(threshold) >=
min_recall`` (0.999 by default): for every ``r`` the fewest bands that reach it are
``b(r) = ceil(log(1 - min_recall) / log(1 - t^r))``, and the plan takes the largest ``r``
(the steepest curve, so the fewest dissimilar candidates) whose ``b(r) * r`` stays within
``max_hashes`` (128). At ``t = 0.8`` that is ``r = 5, b = 18``: ``P(0.8) = 0.9992``,
``P(0.83) = 0.9999``, ``P(0.9) = 1 - 1e-7``, ``P(0.5) = 0.44``, ``P(0.3) = 0.043``. The
pairs found are then verified by their exact Jaccard similarity, so the curve decides only
recall and work, never the similarity reported.

Column-wise: each permutation is the affine bijection ``x -> a x + c (mod 2**32)`` of the
top 32 bits of the shingle hashes (``a`` odd, ``a`` and ``c`` drawn from the caller's
generator), applied to all shingles of a batch at once and reduced per document with
``np.minimum.reduceat``. Each band's ``r`` minima are folded into one 64-bit key, and pairs
that share a key are found by sorting the keys, band by band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.shingles import HashArray, IntArray, Shingles, mix64, run_starts

__all__ = ["LshPlan", "band_keys", "candidate_pairs", "minhash_signatures", "plan_lsh"]

SignatureArray = npt.NDArray[np.uint32]

_FOLD = np.uint64(0xFF51AFD7ED558CCD)
_BLOCK = 1 << 16  # shingles hashed per step: the working arrays stay in cache


@dataclass(frozen=True)
class LshPlan:
    """``bands`` x ``rows`` MinHash permutations for one threshold.

    ``multipliers`` and ``increments`` define permutation ``i`` as
    ``x -> multipliers[i] * x + increments[i] (mod 2**32)``.
    """

    threshold: float
    bands: int
    rows: int
    multipliers: SignatureArray
    increments: SignatureArray

    @property
    def n_hashes(self) -> int:
        return self.bands * self.rows

    def candidate_probability(self, similarity: float) -> float:
        """``1 - (1 - s**rows)**bands``: the chance that a pair of Jaccard ``s`` is a
        candidate.

        >>> plan = plan_lsh(0.8, rng=np.random.default_rng(0))
        >>> (plan.bands, plan.rows), round(plan.candidate_probability(0.8), 4)
        ((18, 5), 0.9992)
        """
        return float(1.0 - (1.0 - similarity**self.rows) ** self.bands)


def _bands_needed(threshold: float, rows: int, min_recall: float) -> int:
    hit = threshold**rows
    if hit >= 1.0:
        return 1
    bands = max(1, math.ceil(math.log1p(-min_recall) / math.log1p(-hit)))
    while -math.expm1(bands * math.log1p(-hit)) < min_recall:  # guard the logs' rounding
        bands += 1
    return bands


def plan_lsh(threshold: float = 0.8, *, rng: np.random.Generator, min_recall: float = 0.999,
             max_hashes: int = 128, bands: int | None = None,
             rows: int | None = None) -> LshPlan:
    """Choose bands and rows for ``threshold`` and draw the permutations.

    Parameters
    ----------
    threshold : float
        The Jaccard similarity to find, in (0, 1].
    rng : numpy.random.Generator
        Draws the permutations (the same generator state gives the same candidates).
    min_recall : float
        The least candidate probability of a pair exactly at the threshold, in (0, 1).
    max_hashes : int
        Budget of permutations ``bands * rows`` (exceeded only when even ``r = 1`` needs
        more bands, i.e. for thresholds below about 0.06).
    bands, rows : int, optional
        Fix the shape instead (both or neither).
    """
    if not 0.0 < threshold <= 1.0:
        raise InvalidParameterError(f"threshold must be in (0, 1], got {threshold}")
    if not 0.0 < min_recall < 1.0:
        raise InvalidParameterError(f"min_recall must be in (0, 1), got {min_recall}")
    if (bands is None) != (rows is None):
        raise InvalidParameterError("give both bands and rows, or neither")
    if bands is None or rows is None:
        if max_hashes < 1:
            raise InvalidParameterError(f"max_hashes must be at least 1, got {max_hashes}")
        rows = 1  # b(r) * r grows with r, so the first r over budget ends the search
        for r in range(2, max_hashes + 1):
            if _bands_needed(threshold, r, min_recall) * r > max_hashes:
                break
            rows = r
        bands = _bands_needed(threshold, rows, min_recall)
    if bands < 1 or rows < 1:
        raise InvalidParameterError(f"bands and rows must be at least 1, got {bands}, {rows}")
    n = bands * rows
    multipliers = rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)
    multipliers |= np.uint32(1)  # odd: a bijection mod 2**32
    increments = rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)
    return LshPlan(threshold, bands, rows, multipliers, increments)


def minhash_signatures(shingles: Shingles, plan: LshPlan) -> SignatureArray:
    """The minimum of every permutation over every document's shingles.

    Returns
    -------
    numpy.ndarray of uint32, shape (plan.n_hashes, n_docs)
        Row ``i`` holds permutation ``i``'s minimum for each document.
    """
    n = shingles.n_docs
    out = np.empty((plan.n_hashes, n), dtype=np.uint32)
    if n == 0:
        return out
    if np.any(np.diff(shingles.offsets) < 1):
        raise InvalidParameterError("every document needs at least one shingle")
    top = (shingles.hashes >> np.uint64(32)).astype(np.uint32)
    offsets = shingles.offsets
    first = 0
    while first < n:
        # Whole documents, about _BLOCK shingles (at least one document).
        last = max(int(np.searchsorted(offsets, offsets[first] + _BLOCK, side="right")) - 1,
                   first + 1)
        last = min(last, n)
        block = top[offsets[first]:offsets[last]]
        starts = offsets[first:last] - offsets[first]
        value = np.empty_like(block)
        for i in range(plan.n_hashes):
            np.multiply(block, plan.multipliers[i], out=value)
            value += plan.increments[i]
            out[i, first:last] = np.minimum.reduceat(value, starts)
        first = last
    return out


def band_keys(signatures: SignatureArray, plan: LshPlan) -> HashArray:
    """Fold each band's ``rows`` minima into one 64-bit key: shape (plan.bands, n_docs).

    Two documents with equal minima in a band get equal keys; unequal minima collide with
    probability about 2**-64 (which only adds a candidate that verification drops).
    """
    if signatures.shape[0] != plan.n_hashes:
        raise InvalidParameterError(
            f"signatures have {signatures.shape[0]} rows; the plan needs {plan.n_hashes}")
    keys = np.empty((plan.bands, signatures.shape[1]), dtype=np.uint64)
    for band in range(plan.bands):
        rows = signatures[band * plan.rows:(band + 1) * plan.rows].astype(np.uint64)
        key = rows[0].copy()
        for row in rows[1:]:
            key *= _FOLD
            key += row
        keys[band] = mix64(key)
    return keys


def candidate_pairs(keys: HashArray) -> tuple[IntArray, IntArray]:
    """Every pair of documents that share a key in at least one band.

    Parameters
    ----------
    keys : numpy.ndarray of uint64, shape (bands, n_docs)

    Returns
    -------
    a, b : numpy.ndarray of int64
        The pairs, ``a < b``, sorted by ``(a, b)``, each once.

    Examples
    --------
    >>> keys = np.array([[7, 3, 7, 7], [1, 2, 3, 2]], dtype=np.uint64)
    >>> [p.tolist() for p in candidate_pairs(keys)]
    [[0, 0, 1, 2], [2, 3, 3, 3]]
    """
    n = keys.shape[1]
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    found: list[IntArray] = []
    for band in keys:
        order = np.argsort(band, kind="stable")  # equal keys keep ascending documents
        opens = run_starts(band[order])
        run = np.cumsum(opens) - 1
        run_start = np.flatnonzero(opens)
        run_end = np.concatenate((run_start[1:], [n]))
        partners = run_end[run] - 1 - np.arange(n)  # later members of the same run
        left = np.repeat(np.arange(n), partners)
        right = left + 1 + (np.arange(left.size) - np.repeat(np.cumsum(partners) - partners,
                                                             partners))
        found.append(order[left].astype(np.int64) * n + order[right])
    codes = np.sort(np.concatenate(found))
    codes = codes[run_starts(codes)]
    return codes // n, codes % n
