"""``assay dedup``: near-duplicate documents in a JSONL file, from the command line.

Input: one JSON object per line whose ``--field`` (default ``text``) is a string; a blank
line is skipped (it is no document, and the numbering still counts it). Output:
``a,b,similarity`` with a header, one row for every pair of documents whose exact Jaccard
similarity of word 5-gram shingle sets is at least ``--threshold``: ``a < b`` are 0-based
line numbers, rows sorted by ``(a, b)``, the similarity printed as the shortest decimal that
reads back as the same double.

The file is read twice, in blocks of about 1 MB of lines
(:func:`assay.algorithms.near_duplicates.near_duplicates_streamed`): once for the MinHash
band keys of every document, once for the shingle sets of the documents in some candidate
pair. Memory is about 150 bytes per document, 8 bytes per distinct shingle of the candidate
documents, and a few blocks in flight. Error messages count lines from 1, as editors do.
"""

from __future__ import annotations

import os
import sys
from array import array
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson

from assay.errors import InvalidInput

if TYPE_CHECKING:
    from assay.algorithms.near_duplicates import NearDuplicates
    from assay.algorithms.shingles import IntArray

BLOCK_BYTES = 1 << 20
WRITE_BLOCK = 65_536
SEED = 20_140_901
"""The permutations' seed: one file and threshold always give the same pairs."""
WORKERS = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
              else os.cpu_count() or 1)
"""Threads hashing batches while this one reads the file (the pairs do not depend on it)."""


class _Documents:
    """The documents of one JSONL file, read in blocks of lines: every one, or a chosen few.

    A block is about ``BLOCK_BYTES`` of whole lines (one long line makes its own block), so
    a batch's memory does not depend on how long the documents are. Lines are parsed one by
    one, as a list comprehension; only when a block holds a bad line is it walked again to
    name the first one.
    """

    def __init__(self, path: str, field: str) -> None:
        self.path = path
        self.field = field
        self.lines = array("q")  # document -> 0-based line number

    def _blocks(self) -> Iterator[tuple[int, list[bytes]]]:
        """``(number of the block's first line, its lines)``, a byte-order mark removed."""
        try:
            handle = open(self.path, "rb")  # noqa: SIM115
        except OSError as exc:
            raise InvalidInput(f"{self.path}: cannot read ({exc.strerror})") from exc
        with handle:
            first = 0
            while lines := handle.readlines(BLOCK_BYTES):
                if first == 0 and lines[0].startswith(b"\xef\xbb\xbf"):
                    lines[0] = lines[0][3:]
                yield first, lines
                first += len(lines)

    def _texts(self, lines: list[bytes], first: int, kept: list[int]) -> list[str]:
        """The field of the lines ``kept`` (indices into ``lines``)."""
        field = self.field
        try:
            texts = [orjson.loads(lines[i])[field] for i in kept]
        except (orjson.JSONDecodeError, KeyError, TypeError, IndexError):
            texts = []
        if len(texts) < len(kept) or set(map(type, texts)) - {str}:
            for i in kept:
                self._check(lines[i], first + i)
        return texts

    def _check(self, raw: bytes, line: int) -> None:
        where = f"{self.path}: line {line + 1}"
        try:
            doc: Any = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(doc, dict):
            raise InvalidInput(f"{where}: expected a JSON object, got {_kind(doc)}")
        if self.field not in doc:
            raise InvalidInput(f"{where}: no field {self.field!r}")
        if not isinstance(doc[self.field], str):
            raise InvalidInput(f"{where}: field {self.field!r} is {_kind(doc[self.field])}, "
                               "not a string")

    def batches(self) -> Iterator[list[str]]:
        for first, lines in self._blocks():
            kept = [i for i, raw in enumerate(lines) if not raw.isspace()]  # blank: no doc
            self.lines.extend([first + i for i in kept])
            if kept:
                yield self._texts(lines, first, kept)

    def fetch(self, docs: IntArray) -> Iterator[list[str]]:
        import numpy as np

        wanted = np.frombuffer(self.lines, dtype=np.int64)[docs]
        for first, lines in self._blocks():
            low, high = np.searchsorted(wanted, [first, first + len(lines)])
            if high > low:
                yield self._texts(lines, first, (wanted[low:high] - first).tolist())
            if high == wanted.size:
                return
        raise InvalidInput(f"{self.path}: the file changed while it was read")


def reuse_freed_memory() -> None:
    """Ask glibc to serve large blocks from its heap and to keep what is freed. This is
    process-wide, so only the command's own process calls it. Each batch allocates and
    frees the same arrays of a few MB, and by default each one is a fresh mmap whose pages
    fault in again (measured: a fifth of the command's CPU time went to the kernel, half
    that with this). A no-op where the C library is not glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mallopt(-3, 1 << 28)  # M_MMAP_THRESHOLD: blocks up to 256 MB come from the heap
    mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: keep up to 1 GB freed at the heap's top


def _kind(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def dedup_jsonl(path: str, field: str, threshold: float, out: str | None) -> tuple[int, int]:
    """Write the near-duplicate pairs of ``path``; returns ``(documents, pairs)``."""
    if not 0.0 < threshold <= 1.0:
        raise InvalidInput(f"--threshold must be in (0, 1], got {threshold}")
    import numpy as np

    from assay.algorithms.near_duplicates import near_duplicates_streamed

    documents = _Documents(path, field)
    found = near_duplicates_streamed(documents.batches(), documents.fetch, threshold,
                                     rng=np.random.default_rng(SEED), workers=WORKERS)
    try:
        target = open(out, "w", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
    except OSError as exc:
        raise InvalidInput(f"{out}: cannot write ({exc.strerror})") from exc
    try:
        write_pairs(target, found, np.frombuffer(documents.lines, dtype=np.int64))
    finally:
        if out:
            target.close()
    return found.n_docs, int(found.a.size)


def write_pairs(target: Any, found: NearDuplicates, lines: IntArray) -> None:
    """``a,b,similarity`` rows; ``repr`` gives the shortest round-trip decimal."""
    target.write("a,b,similarity\n")
    a = lines[found.a].tolist()
    b = lines[found.b].tolist()
    similarity = found.similarity.tolist()
    for start in range(0, len(a), WRITE_BLOCK):
        end = min(start + WRITE_BLOCK, len(a))
        target.write("".join(f"{x},{y},{s!r}\n" for x, y, s in zip(
            a[start:end], b[start:end], similarity[start:end], strict=True)))
