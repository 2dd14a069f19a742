"""Exact Jaccard similarity of shingle sets: hand cases, the definition, the slow path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.algorithms.errors import InvalidParameterError, LengthMismatchError
from assay.algorithms.jaccard import exact_jaccard, shingle_sets
from assay.algorithms.shingles import Shingles, jaccard, shingle_hashes

HAND = [
    ("a b c d e f", "a b c d e f", 1.0),
    ("a b c d e f", "a b c d e g", 1 / 3),  # {abcde, bcdef} vs {abcde, bcdeg}
    ("a b c d e f g", "a b c d e f", 2 / 3),
    ("a b c d e", "v w x y z", 0.0),
    ("a b c d e a b c d e", "a b c d e", 1 / 5),  # 5 distinct shingles, one shared
    ("to be", "to  be", 1.0),  # short documents: the word sequence, whitespace aside
    ("to be", "be to", 0.0),
    ("to be", "to be or not to", 0.0),  # a short document never matches a 5-gram
    ("", " \n", 1.0),  # two empty documents have the same (empty) shingle set
    ("", "a", 0.0),
]


@pytest.mark.parametrize(("first", "second", "expected"), HAND)
def test_hand_cases(first: str, second: str, expected: float) -> None:
    assert jaccard(first, second) == pytest.approx(expected)
    got = exact_jaccard(shingle_hashes([first, second]), np.array([0]), np.array([1]))
    assert got.tolist() == [jaccard(first, second)]


words = st.lists(st.sampled_from(["a", "b", "c"]), max_size=14).map(" ".join)


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(words, min_size=2, max_size=8), data=st.data())
def test_equals_the_definition_on_every_pair(texts: list[str], data: st.DataObject) -> None:
    pairs = data.draw(st.lists(st.tuples(st.integers(0, len(texts) - 1),
                                         st.integers(0, len(texts) - 1)), max_size=20))
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    got = exact_jaccard(shingle_hashes(texts), a, b)
    assert got.tolist() == [jaccard(texts[i], texts[j]) for i, j in pairs]


def _sets_of(hashes: list[list[int]]) -> Shingles:
    flat = np.array([h for doc in hashes for h in doc], dtype=np.uint64)
    offsets = np.concatenate(([0], np.cumsum([len(doc) for doc in hashes]))).astype(np.int64)
    return Shingles(flat, offsets)


def test_hashes_that_share_their_top_bits_take_the_exact_slow_path() -> None:
    top = 0xABCDEF << 40
    docs = [[top | 1, top | 2, 5, top | 3], [top | 2, top | 4, 5], [top | 1, 7], [5, 5]]
    sh = _sets_of(docs)
    pairs = [(0, 1), (0, 2), (1, 2), (0, 3), (3, 3), (1, 0)]
    got = exact_jaccard(sh, np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]))
    sets = [set(d) for d in docs]
    assert got.tolist() == [len(sets[i] & sets[j]) / len(sets[i] | sets[j]) for i, j in pairs]


def test_sets_are_sorted_and_distinct_and_inputs_untouched() -> None:
    sh = _sets_of([[9, 3, 9, 2**64 - 1, 3], [], [4], [2**64 - 1, 0]])
    before = (sh.hashes.copy(), sh.offsets.copy())
    sets = shingle_sets(sh)
    assert sets.offsets.tolist() == [0, 3, 3, 4, 6]
    assert sets.hashes.tolist() == [3, 9, 2**64 - 1, 4, 0, 2**64 - 1]
    a, b = np.array([0, 3]), np.array([3, 0])
    exact_jaccard(sh, a, b)
    assert np.array_equal(sh.hashes, before[0]) and np.array_equal(sh.offsets, before[1])
    assert a.tolist() == [0, 3] and b.tolist() == [3, 0]


def test_many_pairs_in_several_blocks() -> None:
    rng = np.random.default_rng(5)
    texts = [" ".join(rng.choice(list("abcdefgh"), size=int(rng.integers(0, 40))))
             for _ in range(300)]
    a = rng.integers(0, 300, size=70_000)
    b = rng.integers(0, 300, size=70_000)  # more pairs than one block holds (2**16)
    got = exact_jaccard(shingle_hashes(texts), a, b)
    pairs = list(zip(a.tolist(), b.tolist(), strict=True))
    table = {(i, j): jaccard(texts[i], texts[j]) for i, j in set(pairs)}
    assert got.tolist() == [table[pair] for pair in pairs]


def test_bad_pairs_are_refused() -> None:
    sh = shingle_hashes(["a", "b"])
    with pytest.raises(LengthMismatchError):
        exact_jaccard(sh, np.array([0]), np.array([0, 1]))
    with pytest.raises(InvalidParameterError, match="outside"):
        exact_jaccard(sh, np.array([0]), np.array([2]))
    assert exact_jaccard(sh, np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0
