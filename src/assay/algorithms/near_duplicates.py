"""Near-duplicate documents: MinHash-LSH candidates, verified by exact Jaccard similarity.

Two passes over the documents, batch by batch, so memory stays flat in the corpus size:

1. hash each batch's shingles (:func:`~assay.algorithms.shingles.shingle_hashes`), take its
   MinHash signatures and fold them into band keys
   (:mod:`~assay.algorithms.minhash`); only the keys are kept, ``8 * bands`` bytes per
   document (144 at the default threshold 0.8);
2. sort the keys band by band into candidate pairs, read again only the documents in some
   candidate pair, and keep the pairs whose exact Jaccard similarity of shingle sets reaches
   the threshold (:func:`~assay.algorithms.jaccard.jaccard_of_sets`); this holds 8 bytes
   per distinct shingle of those documents.

The reported similarity is the exact value, never the MinHash estimate: an estimate cut at
the threshold loses the pairs that sit just above it (issue 14 measured recall 0.878 that
way on planted duplicates, a quarter of which lie between 0.80 and 0.83). A pair at the
threshold is a candidate with probability at least ``min_recall`` (0.999), higher above it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.jaccard import jaccard_of_sets, shingle_sets
from assay.algorithms.minhash import (
    LshPlan,
    band_keys,
    candidate_pairs,
    minhash_signatures,
    plan_lsh,
)
from assay.algorithms.shingles import (
    FloatArray,
    HashArray,
    IntArray,
    Shingles,
    check_documents,
    run_starts,
    shingle_hashes,
)

__all__ = ["NearDuplicates", "near_duplicates", "near_duplicates_streamed"]

BATCH_SIZE = 4096
"""Documents per batch in :func:`near_duplicates`."""

Fetch = Callable[[IntArray], Iterable[Sequence[str]]]
T = TypeVar("T")
Mapper = Callable[[Callable[[Any], Any], list[Any]], list[Any]]
"""``mapper(fn, items) == [fn(item) for item in items]``, computed anywhere (another
process, a Ray cluster): what :func:`near_duplicates_streamed` hands its batches to."""
WINDOW = 8
"""Batches handed to a mapper at once."""


@dataclass(frozen=True)
class NearDuplicates:
    """The pairs ``(a[i], b[i])`` with ``a[i] < b[i]``, sorted by ``(a, b)``, whose exact
    Jaccard similarity ``similarity[i]`` is at least the plan's threshold; ``n_candidates``
    pairs were compared."""

    a: IntArray
    b: IntArray
    similarity: FloatArray
    n_docs: int
    n_candidates: int
    plan: LshPlan


def near_duplicates(texts: Sequence[str], threshold: float = 0.8, *,
                    rng: np.random.Generator, min_recall: float = 0.999,
                    workers: int = 1) -> NearDuplicates:
    """Every pair of documents whose shingle sets have Jaccard similarity ``>= threshold``
    (up to the LSH miss rate, at most ``1 - min_recall`` per pair).

    Examples
    --------
    >>> docs = ["the quick brown fox jumps over the lazy dog by the river bank",
    ...         "the quick brown fox jumps over the lazy dog by the river bend",
    ...         "something else entirely, with no words in common at all today"]
    >>> found = near_duplicates(docs, 0.7, rng=np.random.default_rng(0))
    >>> found.a.tolist(), found.b.tolist(), found.similarity.round(3).tolist()
    ([0], [1], [0.8])
    """

    def batches() -> Iterator[Sequence[str]]:
        for start in range(0, len(texts), BATCH_SIZE):
            yield texts[start:start + BATCH_SIZE]

    def fetch(docs: IntArray) -> Iterator[Sequence[str]]:
        for start in range(0, docs.size, BATCH_SIZE):
            yield [texts[i] for i in docs[start:start + BATCH_SIZE].tolist()]

    return near_duplicates_streamed(batches(), fetch, threshold, rng=rng,
                                    min_recall=min_recall, workers=workers)


def near_duplicates_streamed(batches: Iterable[Sequence[str]], fetch: Fetch,
                             threshold: float = 0.8, *, rng: np.random.Generator,
                             min_recall: float = 0.999, workers: int = 1,
                             mapper: Mapper | None = None) -> NearDuplicates:
    """:func:`near_duplicates` over documents read twice, batch by batch.

    Parameters
    ----------
    batches : iterable of sequences of str
        Every document once, in order; document ``i`` is the ``i``-th overall.
    fetch : callable
        ``fetch(docs)`` yields, in batches, the texts of the documents ``docs`` (sorted
        ascending, unique): the same texts as ``batches`` gave, in that order.
    threshold, rng, min_recall
        As for :func:`~assay.algorithms.minhash.plan_lsh`.
    workers : int
        Threads that hash batches at once (numpy lets go of the interpreter lock in its
        loops; reading stays on the calling thread). The result does not depend on it.
    mapper : callable, optional
        Instead of threads, hand the batches, ``WINDOW`` at a time, to ``mapper(fn,
        items)`` (e.g. ``assay.jobs.offload.map_calls`` on a Ray cluster): the hashing of
        each batch, and the shingle sets of the verification pass, are pure functions of
        the batch (and the plan). Reading stays here; the result is the same.
    """
    if workers < 1:
        raise InvalidParameterError(f"workers must be at least 1, got {workers}")
    plan = plan_lsh(threshold, rng=rng, min_recall=min_recall)

    def keys_of(batch: Sequence[str]) -> HashArray:
        return band_keys_of((batch, plan))

    keyed = (_in_order(keys_of, batches, workers) if mapper is None else
             _in_windows(band_keys_of, batches, mapper, lambda batch: (list(batch), plan)))
    keys: list[HashArray] = []
    n_docs = 0
    for size, batch_keys in keyed:
        keys.append(batch_keys)
        n_docs += size
    all_keys = np.concatenate(keys, axis=1) if keys else np.zeros((plan.bands, 0), np.uint64)
    a, b = candidate_pairs(all_keys)
    del keys, all_keys
    if a.size == 0:
        return NearDuplicates(a, b, np.zeros(0, dtype=np.float64), n_docs, 0, plan)

    docs = np.sort(np.concatenate((a, b)))
    docs = docs[run_starts(docs)]
    parts: list[Shingles] = []
    fetched = 0
    sets = (_in_order(shingle_sets_of, fetch(docs), workers) if mapper is None else
            _in_windows(shingle_sets_of, fetch(docs), mapper, list))
    for size, part in sets:
        parts.append(part)
        fetched += size
    if fetched != docs.size:
        raise InvalidParameterError(f"fetch gave {fetched} documents for {docs.size} asked")
    sizes = np.concatenate([np.diff(p.offsets) for p in parts])
    store = Shingles(np.concatenate([p.hashes for p in parts]),
                     np.concatenate(([0], np.cumsum(sizes))).astype(np.int64))
    similarity = jaccard_of_sets(store, np.searchsorted(docs, a), np.searchsorted(docs, b))
    keep = similarity >= threshold
    return NearDuplicates(a[keep], b[keep], similarity[keep], n_docs, int(a.size), plan)


def band_keys_of(item: tuple[Sequence[str], LshPlan]) -> HashArray:
    """The LSH band keys of a batch of documents under a plan (pure: the first pass's work
    on one batch)."""
    batch, plan = item
    return band_keys(minhash_signatures(shingle_hashes(batch), plan), plan)


def shingle_sets_of(batch: Sequence[str]) -> Shingles:
    """The shingle sets of a batch of documents (pure: the verification pass's work)."""
    return shingle_sets(shingle_hashes(batch))


def _in_windows(work: Callable[[Any], T], batches: Iterable[Sequence[str]], mapper: Mapper,
                item: Callable[[Sequence[str]], Any]) -> Iterator[tuple[int, T]]:
    """``(len(batch), work(item(batch)))`` for every batch, in order, the documents checked
    and numbered here, ``WINDOW`` batches at a time through ``mapper``."""
    first = 0
    window: list[Sequence[str]] = []

    def flush() -> Iterator[tuple[int, T]]:
        results = mapper(work, [item(batch) for batch in window])
        yield from zip([len(batch) for batch in window], results, strict=True)
        window.clear()

    for batch in batches:
        check_documents(batch, first=first)
        first += len(batch)
        window.append(batch)
        if len(window) == WINDOW:
            yield from flush()
    if window:
        yield from flush()


def _in_order(work: Callable[[Sequence[str]], T], batches: Iterable[Sequence[str]],
              workers: int) -> Iterator[tuple[int, T]]:
    """``(len(batch), work(batch))`` for every batch, in order, the documents checked and
    numbered here; up to ``workers`` batches are worked on at once, ``2 * workers`` read
    ahead (so memory stays a few batches)."""
    first = 0
    if workers == 1:
        for batch in batches:
            check_documents(batch, first=first)
            first += len(batch)
            yield len(batch), work(batch)
        return
    with ThreadPoolExecutor(workers) as pool:
        pending: deque[tuple[int, Future[T]]] = deque()
        for batch in batches:
            check_documents(batch, first=first)
            first += len(batch)
            pending.append((len(batch), pool.submit(work, batch)))
            if len(pending) > 2 * workers:
                size, future = pending.popleft()
                yield size, future.result()
        while pending:
            size, future = pending.popleft()
            yield size, future.result()
