"""Shingles: words exactly as ``str.split`` cuts them, one stable hash per distinct shingle."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.shingles import (
    WHITESPACE,
    shingle_hashes,
    shingle_set,
    words_of,
)

SETTINGS = settings(max_examples=200, deadline=None)

# Words from a few letters (so shingles repeat across documents), separated by every kind of
# whitespace, with non-ASCII letters, lone surrogates and control characters that are not
# whitespace mixed in.
pieces = st.sampled_from(["a", "b", "é", "ß", "日本", "\x00", "\x1b", "\ud800", "😀", "ab"])
gaps = st.sampled_from([*WHITESPACE, "  ", "\r\n", "\u2028\u3000"])
texts = st.lists(st.one_of(pieces, gaps), max_size=40).map("".join)


def test_the_whitespace_list_is_what_str_split_cuts_at() -> None:
    spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert spaces == WHITESPACE


@SETTINGS
@given(batch=st.lists(texts, max_size=6))
def test_words_are_those_of_str_split(batch: list[str]) -> None:
    data, start, end, doc = words_of(batch)
    got = [(d, bytes(data[s:e]).decode("utf-8", "surrogatepass"))
           for s, e, d in zip(start.tolist(), end.tolist(), doc.tolist(), strict=True)]
    assert got == [(d, w) for d, text in enumerate(batch) for w in text.split()]


@SETTINGS
@given(batch=st.lists(texts, max_size=6))
def test_equal_hashes_exactly_for_equal_shingles(batch: list[str]) -> None:
    sh = shingle_hashes(batch)
    listed: list[str] = []
    for text in batch:
        words = text.split()
        if len(words) < 5:
            listed.append(" ".join(words))
        else:
            listed += [" ".join(words[i:i + 5]) for i in range(len(words) - 4)]
    assert sh.hashes.size == len(listed) == sh.offsets[-1]
    assert [set(listed[sh.offsets[d]:sh.offsets[d + 1]]) for d in range(len(batch))] == [
        shingle_set(t) for t in batch]
    by_text: dict[str, int] = {}
    for text, value in zip(listed, sh.hashes.tolist(), strict=True):
        assert by_text.setdefault(text, value) == value
    assert len(set(by_text.values())) == len(by_text)


def test_counts_and_short_documents() -> None:
    sh = shingle_hashes(["one two three four five six seven", "one two", "", "  \n ", "x"])
    assert np.diff(sh.offsets).tolist() == [3, 1, 1, 1, 1]
    assert sh.hashes[4] == sh.hashes[5]  # two empty documents: the same (empty) shingle
    assert len(set(sh.hashes.tolist())) == 6


def test_a_hash_depends_only_on_the_shingle() -> None:
    alone = shingle_hashes(["the quick brown fox jumps"]).hashes
    among = shingle_hashes(["é" * 50, "x y", "the\tquick  brown\nfox\u3000jumps"]).hashes
    assert alone[0] == among[-1]
    # Pinned, so a change of the hash (and so of which pairs a seed finds) is deliberate.
    assert alone.tolist() == [3436937507880245874]


def test_no_documents() -> None:
    sh = shingle_hashes([])
    assert sh.n_docs == 0 and sh.hashes.size == 0


def test_a_non_string_is_named() -> None:
    with pytest.raises(InvalidParameterError, match="document 1 is a bytes"):
        shingle_hashes(["a", b"b"])  # type: ignore[list-item]
