"""Exact Jaccard similarity of shingle sets, for many document pairs at once.

:func:`shingle_sets` turns each document's shingle hashes into a sorted set: documents are
padded into rows of a power-of-two width and sorted row by row (numpy sorts short rows
several times faster per element than one long array, and no permutation is needed).

:func:`exact_jaccard` then lays out a block of pairs as two sorted arrays of keys
``pair << 48 | hash >> 16``, the first documents' sets in one and the second documents' in
the other, and finds every common element of every pair with one ``searchsorted``. A key
match is confirmed on the full 64-bit hash, so the count is exact as long as no document
holds two hashes with the same top 48 bits; a document that does (a chance of about
``k**2 / 2**49`` for ``k`` shingles) sends the whole call to a slower path that keys on
global ranks of the hashes instead. The similarity is exact on the 64-bit shingle hashes: it
differs from the similarity of the shingle strings only if two distinct shingles of a pair
share a hash (about ``k_a k_b / 2**64``).
"""

from __future__ import annotations

import numpy as np

from assay.algorithms.errors import InvalidParameterError, LengthMismatchError
from assay.algorithms.shingles import FloatArray, HashArray, IntArray, Shingles, run_starts

__all__ = ["exact_jaccard", "jaccard_of_sets", "shingle_sets"]

_PAIR_BITS = 16  # pairs per block <= 2**16; the key keeps the top 48 bits of a hash
_BLOCK_ELEMENTS = 1 << 19  # elements compared per block (about 40 MB of work arrays)
_EMPTY = np.uint64(2**64 - 1)


def _segments(starts: IntArray, lengths: IntArray) -> IntArray:
    """The indices ``starts[i] .. starts[i] + lengths[i] - 1`` for every i, concatenated."""
    shift = starts - (np.cumsum(lengths) - lengths)
    return np.repeat(shift, lengths) + np.arange(int(lengths.sum()), dtype=np.int64)


def shingle_sets(shingles: Shingles) -> Shingles:
    """Each document's distinct shingle hashes, in ascending order.

    >>> from assay.algorithms.shingles import shingle_hashes
    >>> raw = shingle_hashes(["a b c d e a b c d e", "x"])
    >>> raw.offsets.tolist(), shingle_sets(raw).offsets.tolist()
    ([0, 6, 7], [0, 5, 6])
    """
    offsets = shingles.offsets
    size = np.diff(offsets)
    ordered = np.empty_like(shingles.hashes)
    width_bits = np.ceil(np.log2(np.maximum(size, 1))).astype(np.int64)
    for bits in np.unique(width_bits).tolist():
        docs = np.flatnonzero(width_bits == bits)
        doc_size = size[docs]
        flat = _segments(offsets[docs], doc_size)
        # Document j of the class is row j: its hashes go to j * width + 0 .. size - 1.
        cell = flat + np.repeat(np.arange(docs.size) * (1 << bits) - offsets[docs], doc_size)
        # Padding sorts last, so a row's first doc_size entries are its own hashes (even
        # when one of them equals the padding value).
        table = np.full((docs.size, 1 << bits), _EMPTY, dtype=np.uint64)
        table.reshape(-1)[cell] = shingles.hashes[flat]
        table.sort(axis=1)
        ordered[flat] = table.reshape(-1)[cell]
    keep = run_starts(ordered)
    keep[offsets[:-1][size > 0]] = True  # a document's first hash, even if its neighbour's
    kept = np.concatenate(([0], np.cumsum(keep)))
    return Shingles(ordered[keep], kept[offsets].astype(np.int64))


def exact_jaccard(shingles: Shingles, a: IntArray, b: IntArray) -> FloatArray:
    """Exact Jaccard similarity ``len(A & B) / len(A | B)`` of the shingle sets of documents
    ``a[i]`` and ``b[i]``.

    Examples
    --------
    >>> from assay.algorithms.shingles import shingle_hashes
    >>> sh = shingle_hashes(["a b c d e f", "a b c d e g", "a b c d e f", "one"])
    >>> exact_jaccard(sh, np.array([0, 0, 0]), np.array([1, 2, 3])).tolist()
    [0.3333333333333333, 1.0, 0.0]
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    _check_pairs(shingles.n_docs, a, b)
    return jaccard_of_sets(shingle_sets(shingles), a, b)


def _check_pairs(n: int, a: IntArray, b: IntArray) -> None:
    if a.shape != b.shape or a.ndim != 1:
        raise LengthMismatchError(f"a has shape {a.shape} and b {b.shape}")
    if a.size and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= n):
        raise InvalidParameterError(f"a document index lies outside 0 .. {n - 1}")


def jaccard_of_sets(sets: Shingles, a: IntArray, b: IntArray) -> FloatArray:
    """:func:`exact_jaccard` of documents already given as :func:`shingle_sets` gives them
    (each document's hashes sorted and distinct), so that a caller can build the sets batch
    by batch."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    _check_pairs(sets.n_docs, a, b)
    if a.size == 0:
        return np.zeros(0, dtype=np.float64)
    full = sets.hashes
    offsets = sets.offsets
    size = np.diff(offsets)
    if np.any(size[a] == 0) or np.any(size[b] == 0):
        raise InvalidParameterError("every document needs at least one shingle")
    # Two hashes of one document that share their top bits: key on ranks instead.
    ranks = _ranks(full) if _top_bits_repeat(full, offsets) else None

    out = np.empty(a.size, dtype=np.float64)
    work = np.cumsum(size[a] + size[b])  # elements up to and including each pair
    start = 0
    while start < a.size:
        done = int(work[start - 1]) if start else 0
        stop = int(np.searchsorted(work, done + _BLOCK_ELEMENTS, side="right"))
        stop = min(max(stop, start + 1), start + (1 << _PAIR_BITS))
        out[start:stop] = _block(full, ranks, offsets, size, a[start:stop], b[start:stop])
        start = stop
    return out


def _top_bits_repeat(full: HashArray, offsets: IntArray) -> bool:
    """Whether two neighbours in one document's sorted set agree in their top 48 bits."""
    opens = np.zeros(full.size, dtype=bool)
    opens[offsets[:-1][np.diff(offsets) > 0]] = True
    step = _BLOCK_ELEMENTS
    for start in range(1, full.size, step):
        stop = min(start + step, full.size)
        close = ((full[start:stop] ^ full[start - 1:stop - 1]) >> np.uint64(_PAIR_BITS)) == 0
        if np.any(close & ~opens[start:stop]):
            return True
    return False


def _ranks(full: HashArray) -> HashArray:
    """Each hash's rank among the distinct hashes (order-preserving, below 2**48 here)."""
    distinct = np.sort(full)
    distinct = distinct[run_starts(distinct)]
    return np.searchsorted(distinct, full).astype(np.uint64)


def _block(full: HashArray, ranks: HashArray | None, offsets: IntArray, size: IntArray,
           a: IntArray, b: IntArray) -> FloatArray:
    """Jaccard of at most 2**16 pairs: ``pair << 48 | key`` is sorted within each side."""
    pair = np.arange(a.size, dtype=np.uint64) << np.uint64(64 - _PAIR_BITS)
    first_at = _segments(offsets[a], size[a])
    second_at = _segments(offsets[b], size[b])
    second_pair = np.repeat(np.arange(a.size), size[b])
    if ranks is None:
        first = np.repeat(pair, size[a]) | (full[first_at] >> np.uint64(_PAIR_BITS))
        second = pair[second_pair] | (full[second_at] >> np.uint64(_PAIR_BITS))
    else:
        first = np.repeat(pair, size[a]) | ranks[first_at]
        second = pair[second_pair] | ranks[second_at]
    at = np.minimum(np.searchsorted(first, second), first.size - 1)
    # Keys are unique within a document, so only `at` can match; the full hash decides.
    match = (first[at] == second) & (full[first_at[at]] == full[second_at])
    common = np.bincount(second_pair[match], minlength=a.size)
    return common / (size[a] + size[b] - common)
