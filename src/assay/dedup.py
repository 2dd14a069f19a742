"""``assay dedup``: near-duplicate documents in a JSONL file, from the command line.

Input: one JSON object per line whose ``--field`` (default ``text``) is a string; a blank
line is skipped (it is no document, and the numbering still counts it). Output:
``a,b,similarity`` with a header, one row for every pair of documents whose exact Jaccard
similarity of word 5-gram shingle sets is at least ``--threshold``: ``a < b`` are 0-based
line numbers, rows sorted by ``(a, b)``, the similarity printed as the shortest decimal that
reads back as the same double.

The file is read twice, batch by batch (:func:`assay.algorithms.near_duplicates.
near_duplicates_streamed`): once for the MinHash band keys of every document, once for the
shingle sets of the documents in some candidate pair; memory is about 150 bytes per document
plus the text and shingles of one batch. Error messages count lines from 1, as editors do.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from assay.errors import InvalidInput

if TYPE_CHECKING:
    from assay.algorithms.near_duplicates import NearDuplicates
    from assay.algorithms.shingles import IntArray

BATCH_SIZE = 2048
WRITE_BLOCK = 65_536
SEED = 20_140_901
"""The permutations' seed: one file and threshold always give the same pairs."""


class _Documents:
    """The documents of one JSONL file, read in batches: every one, or a chosen few."""

    def __init__(self, path: str, field: str) -> None:
        self.path = path
        self.field = field
        self.lines: list[int] = []  # document -> 0-based line number

    def _open(self) -> BinaryIO:
        try:
            return open(self.path, "rb")
        except OSError as exc:
            raise InvalidInput(f"{self.path}: cannot read ({exc.strerror})") from exc

    def _text(self, raw: bytes, line: int) -> str:
        where = f"{self.path}: line {line + 1}"
        try:
            doc: Any = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(doc, dict):
            raise InvalidInput(f"{where}: expected a JSON object, got {_kind(doc)}")
        if self.field not in doc:
            raise InvalidInput(f"{where}: no field {self.field!r}")
        text = doc[self.field]
        if not isinstance(text, str):
            raise InvalidInput(f"{where}: field {self.field!r} is {_kind(text)}, "
                               "not a string")
        return text

    def _lines(self) -> Iterator[tuple[int, bytes]]:
        """``(line number, raw line)`` of every non-blank line."""
        with self._open() as handle:
            for line, raw in enumerate(handle):
                if line == 0 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if raw.strip():
                    yield line, raw

    def batches(self) -> Iterator[list[str]]:
        batch: list[str] = []
        for line, raw in self._lines():
            self.lines.append(line)
            batch.append(self._text(raw, line))
            if len(batch) == BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch

    def fetch(self, docs: IntArray) -> Iterator[list[str]]:
        wanted = [self.lines[i] for i in docs.tolist()]
        batch: list[str] = []
        at = 0
        for line, raw in self._lines():
            if at == len(wanted):
                break
            if line == wanted[at]:
                batch.append(self._text(raw, line))
                at += 1
                if len(batch) == BATCH_SIZE:
                    yield batch
                    batch = []
        if at < len(wanted):
            raise InvalidInput(f"{self.path}: the file changed while it was read")
        if batch:
            yield batch


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
                                     rng=np.random.default_rng(SEED))
    try:
        target = open(out, "w", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
    except OSError as exc:
        raise InvalidInput(f"{out}: cannot write ({exc.strerror})") from exc
    try:
        write_pairs(target, found, np.asarray(documents.lines, dtype=np.int64))
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
