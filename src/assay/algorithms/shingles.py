"""Word 5-gram shingles of documents, hashed column-wise.

A document's words are ``text.split()`` and its shingles the strings
``" ".join(words[i:i + 5])``. A document of fewer than five words (none included) has
exactly one shingle, its whole word sequence, so every document has at least one shingle:
two short documents are similar only when their word sequences are equal, and a short
document's shingle never equals a 5-gram. Shingles are compared as sets
(:mod:`~assay.algorithms.jaccard`).

:func:`shingle_hashes` hashes every shingle of a batch of documents in numpy passes over
the batch's UTF-8 bytes, with no Python work per word:

1. words are the runs of bytes outside whitespace characters, the same characters
   ``str.split`` cuts at (:func:`words_of`);
2. a word's hash is its polynomial hash ``sum(byte_k * B**k) mod 2**64``, read off one
   prefix sum ``C[i] = sum(byte_j * B**j, j < i)`` as ``(C[end] - C[start]) * B**-start``
   (``B`` odd, so invertible), mixed with the word's length by splitmix64's finaliser;
3. a shingle's hash is ``mix(sum(word_hash[i + j] * K_j))`` over its words, with odd
   constants ``K_j`` (a short document adds ``(count + 1) * K_5``): for 5-grams these are
   five shifted slices of one array.

A hash depends only on the shingle's words, so it is the same in every batch and every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from assay.algorithms.errors import InvalidParameterError

__all__ = ["SHINGLE_WORDS", "Shingles", "jaccard", "shingle_hashes", "shingle_set", "words_of"]

SHINGLE_WORDS = 5
"""Words per shingle."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
HashArray = npt.NDArray[np.uint64]

# What str.split() cuts at: the characters for which str.isspace() holds
# (tests/algorithms/test_shingles.py checks this against the running Python).
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
              "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_WIDE_SPACE = [np.frombuffer(c.encode(), dtype=np.uint8) for c in WHITESPACE if ord(c) >= 0x80]

_BASE = 0x100000001B3
_BASE_INVERSE = pow(_BASE, -1, 2**64)
_LENGTH = np.uint64(0x9E3779B97F4A7C15)
_POSITION = [np.uint64(k) for k in (0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                                     0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x27D4EB2F165667C5)]
_CACHED_POWER_BITS = 22  # power tables up to 4M entries (32 MB) are kept between calls


@dataclass(frozen=True)
class Shingles:
    """The shingle hashes of ``n_docs`` documents, column-wise: document ``d``'s are
    ``hashes[offsets[d]:offsets[d + 1]]``, in text order (a repeated shingle repeats)."""

    hashes: HashArray
    offsets: IntArray

    @property
    def n_docs(self) -> int:
        return int(self.offsets.size - 1)


def shingle_set(text: str) -> set[str]:
    """The shingle set of one document, as strings: the definition the hashes stand for.

    >>> sorted(shingle_set("a b c d e f"))
    ['a b c d e', 'b c d e f']
    >>> shingle_set("  to be  "), shingle_set("")
    ({'to be'}, {''})
    """
    words = text.split()
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)}
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def jaccard(first: str, second: str) -> float:
    """Exact Jaccard similarity ``len(A & B) / len(A | B)`` of two documents' shingle sets.

    >>> jaccard("the cat sat on the mat today", "the cat sat on the mat yesterday")
    0.5
    """
    a, b = shingle_set(first), shingle_set(second)
    return len(a & b) / len(a | b)


def check_documents(texts: Sequence[str], first: int = 0) -> None:
    """Raise :class:`InvalidParameterError` naming the first non-string (counted from
    ``first``)."""
    if set(map(type, texts)) - {str}:
        bad = next(i for i, t in enumerate(texts) if not isinstance(t, str))
        raise InvalidParameterError(
            f"document {first + bad} is a {type(texts[bad]).__name__}, not a string")


def mix64(h: HashArray) -> HashArray:
    """splitmix64's finaliser, in place: every input bit reaches every output bit."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def run_starts(ordered: npt.NDArray[np.generic]) -> npt.NDArray[np.bool_]:
    """Whether each element of a sorted array differs from the one before it."""
    opens = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=opens[1:])
    return opens


def _powers(base: int, n: int) -> HashArray:
    """``base**0 .. base**(n - 1)`` mod 2**64, read-only (array arithmetic wraps)."""
    bits = max((n - 1).bit_length(), 12)
    if bits > _CACHED_POWER_BITS:
        return _power_table(base, bits)[:n]
    return _cached_power_table(base, bits)[:n]


def _power_table(base: int, bits: int) -> HashArray:
    table = np.full(1 << bits, np.uint64(base), dtype=np.uint64)
    table[0] = 1
    np.cumprod(table, out=table)
    table.setflags(write=False)
    return table


_cached_power_table = lru_cache(maxsize=2)(_power_table)


def _space_mask(data: npt.NDArray[np.uint8], ascii_only: bool) -> npt.NDArray[np.bool_]:
    """Whether each byte belongs to a whitespace character."""
    # One byte: 9..13, 28..32 (unsigned wrap-around turns each range into one compare).
    space = ((data - np.uint8(9)) <= np.uint8(4)) | ((data - np.uint8(28)) <= np.uint8(4))
    if not ascii_only:
        lead = np.flatnonzero((data == 0xC2) | ((data >= 0xE1) & (data <= 0xE3)))
        for code in _WIDE_SPACE:
            at = lead[data[lead] == code[0]]
            at = at[at + code.size <= data.size]
            for k in range(1, code.size):
                at = at[data[at + k] == code[k]]
            for k in range(code.size):
                space[at + k] = True
    return space


def words_of(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint8], IntArray, IntArray, IntArray]:
    """The batch's UTF-8 bytes and its words: ``(data, start, end, doc)``, word ``i`` being
    ``data[start[i]:end[i]]`` of document ``doc[i]``, in order.

    >>> data, start, end, doc = words_of(["to  be\\u3000or", "", "not"])
    >>> [bytes(data[s:e]).decode() for s, e in zip(start, end)], doc.tolist()
    (['to', 'be', 'or', 'not'], [0, 0, 0, 2])
    """
    check_documents(texts)
    n = len(texts)
    joined = " ".join(texts)  # a space: no word runs from one document into the next
    data = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    doc_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=n) + 1, out=doc_start[1:])
    if not joined.isascii():  # character offsets -> byte offsets
        char_at = np.append(np.flatnonzero((data & 0xC0) != 0x80), data.size)
        doc_start = char_at[np.minimum(doc_start, char_at.size - 1)]
    inside = np.zeros(data.size + 2, dtype=bool)
    np.logical_not(_space_mask(data, joined.isascii()), out=inside[1:-1])
    edge = np.flatnonzero(inside[1:] != inside[:-1])
    start, end = edge[0::2], edge[1::2]
    first_word = np.searchsorted(start, doc_start)  # no word crosses a document's start
    doc = np.repeat(np.arange(n, dtype=np.int64), np.diff(first_word))
    return data, start, end, doc


def word_hashes(texts: Sequence[str]) -> tuple[HashArray, IntArray]:
    """One 64-bit hash per word of every document, in order, and each word's document:
    equal words hash equal wherever they are.

    >>> h, doc = word_hashes(["to be", "be"])
    >>> bool(h[1] == h[2]), bool(h[0] == h[1]), doc.tolist()
    (True, False, [0, 0, 1])
    """
    data, start, end, doc = words_of(texts)
    prefix = np.empty(data.size + 1, dtype=np.uint64)
    prefix[0] = 0
    body = prefix[1:]
    body[...] = data  # cast first: a uint8 x uint64 multiply casts element by element
    np.multiply(body, _powers(_BASE, data.size), out=body)
    np.cumsum(body, out=body)
    word = (prefix[end] - prefix[start]) * _powers(_BASE_INVERSE, data.size + 1)[start]
    word += (end - start).astype(np.uint64) * _LENGTH
    return mix64(word), doc


def shingle_hashes(texts: Sequence[str]) -> Shingles:
    """Hash every shingle of every document into one array.

    Parameters
    ----------
    texts : sequence of str
        The documents (a batch: memory is about 40 bytes per byte of text).

    Returns
    -------
    Shingles
        One 64-bit hash per shingle, grouped by document; a document of ``w >= 5`` words
        has ``w - 4`` of them, a shorter one exactly one.

    Examples
    --------
    >>> sh = shingle_hashes(["a b c d e f", "x  y", "a\\tb c d\\ne"])
    >>> sh.offsets.tolist()
    [0, 2, 3, 4]
    >>> bool(sh.hashes[0] == sh.hashes[3])  # "a b c d e" in both documents
    True
    """
    word, doc = word_hashes(texts)
    n = len(texts)

    counts = np.bincount(doc, minlength=n)
    first_word = np.concatenate(([0], np.cumsum(counts)))
    per_doc = np.where(counts >= SHINGLE_WORDS, counts - (SHINGLE_WORDS - 1), 1)
    offsets = np.concatenate(([0], np.cumsum(per_doc))).astype(np.int64)

    last = SHINGLE_WORDS - 1
    n_grams = max(word.size - last, 0)
    gram = word[:n_grams] * _POSITION[0]
    term = np.empty_like(gram)
    for j in range(1, SHINGLE_WORDS):
        gram += np.multiply(word[j:j + n_grams], _POSITION[j], out=term)
    # A 5-gram lies in one document when its first and last words do: kept in order, these
    # are the documents' 5-grams, one document after another.
    gram = gram[doc[:n_grams] == doc[last:]]
    short = np.flatnonzero(counts < SHINGLE_WORDS)
    if short.size == 0:
        return Shingles(mix64(gram), offsets)
    short_hash = (counts[short] + 1).astype(np.uint64) * _POSITION[SHINGLE_WORDS]
    for j in range(last):
        has = counts[short] > j
        short_hash[has] += word[first_word[short[has]] + j] * _POSITION[j]
    hashes = np.empty(int(offsets[-1]), dtype=np.uint64)
    slot = np.zeros(hashes.size, dtype=bool)
    slot[offsets[short]] = True
    hashes[~slot] = gram
    hashes[slot] = short_hash
    return Shingles(mix64(hashes), offsets)
