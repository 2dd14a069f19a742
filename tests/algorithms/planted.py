"""Documents with planted near-duplicates at known Jaccard levels, and a brute-force oracle.

A copy of a source document of ``n`` words (``m = n - 4`` distinct 5-grams) gets ``k``
interior words replaced, 5 words apart (each kills 5 shingles of the source and makes 5 of
its own), and ``e`` of its last words replaced (one shingle each): with ``d = 5k + e``
its similarity to the source is ``(m - d) / (m + d)``, and ``d`` is chosen for a drawn
target. Words are made up, so unrelated documents share no 5-gram.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations

import numpy as np

from assay.algorithms.shingles import jaccard, shingle_set


def planted_corpus(n_docs: int, seed: int, targets: Sequence[tuple[float, float]] = (
        (0.80, 0.83), (0.83, 1.0), (0.5, 0.8)), copy_share: float = 0.4) -> list[str]:
    """``n_docs`` documents; about ``copy_share`` of them are edited copies of an earlier
    one, with a similarity drawn uniformly from one of ``targets`` (picked at random)."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = ["".join(letters[rng.integers(0, 26, size=int(rng.integers(3, 9)))])
             for _ in range(5000)]

    def words(n: int) -> list[str]:
        return [vocab[i] for i in rng.integers(0, len(vocab), size=n).tolist()]

    docs: list[list[str]] = []
    while len(docs) < n_docs:
        if docs and rng.random() < copy_share:
            source = docs[int(rng.integers(0, len(docs)))]
            low, high = targets[int(rng.integers(0, len(targets)))]
            docs.append(edit_to(source, float(rng.uniform(low, high)), rng))
        else:
            docs.append(words(int(rng.integers(60, 130))))
    return [" ".join(d) for d in docs]


def edit_to(source: list[str], target: float, rng: np.random.Generator) -> list[str]:
    """A copy of ``source`` whose 5-gram similarity to it is about ``target`` (from above
    where the steps allow)."""
    m = len(source) - 4
    d = int(np.floor(m * (1 - target) / (1 + target)))
    slots = np.arange(4, len(source) - 5 - d % 5, 5)
    interior = min(d // 5, slots.size)
    ends = d - 5 * interior
    copy = list(source)
    for pos in rng.choice(slots, size=interior, replace=False).tolist():
        copy[pos] = f"{copy[pos]}_{int(rng.integers(1 << 30))}"
    for pos in range(len(copy) - ends, len(copy)):
        copy[pos] = f"{copy[pos]}_{int(rng.integers(1 << 30))}"
    return copy


def brute_force_pairs(texts: Sequence[str], threshold: float) -> dict[tuple[int, int], float]:
    """Every pair with exact similarity >= threshold: pairs sharing no shingle have
    similarity 0, so only pairs that share one are compared (an inverted index)."""
    holders: defaultdict[str, list[int]] = defaultdict(list)
    for doc, text in enumerate(texts):
        for shingle in shingle_set(text):
            holders[shingle].append(doc)
    sharing = {pair for docs in holders.values() for pair in combinations(docs, 2)}
    found = {}
    for a, b in sharing:
        similarity = jaccard(texts[a], texts[b])
        if similarity >= threshold:
            found[(a, b)] = similarity
    return found
