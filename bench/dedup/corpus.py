"""A synthetic corpus with planted near-duplicates at known Jaccard levels (seeded).

Documents are 80-120 words drawn from a Zipf-like vocabulary of 30,000 made-up words, so
two unrelated documents share no 5-gram. A planted copy of a source document of ``n`` words
(``m = n - 4`` shingles) has ``k`` interior words replaced, 5 apart (5 shingles each), and
its last ``e`` words replaced (1 shingle each): with ``d = 5k + e`` its similarity to the
source is ``(m - d) / (m + d)``. Each copy's target is drawn as: a quarter in [0.80, 0.83]
(just above the usual threshold, where an estimate cut-off loses pairs), 5% exact copies,
30% in [0.83, 1.0), 40% in [0.5, 0.8) (not to be reported at 0.8). A source gets 1 to 3
copies, so copies of one source are near each other too. The documents are shuffled.
:func:`true_pairs` computes the exact similarity of every pair inside each cluster.
"""

from __future__ import annotations

import numpy as np

LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def _vocabulary(rng: np.random.Generator, size: int) -> np.ndarray:
    lengths = rng.integers(2, 11, size=size)
    letters = LETTERS[rng.integers(0, 26, size=int(lengths.sum()))]
    cuts = np.concatenate(([0], np.cumsum(lengths)))
    return np.array(sorted({"".join(letters[cuts[i]:cuts[i + 1]]) for i in range(size)}))


def _target(rng: np.random.Generator) -> float:
    u = rng.random()
    if u < 0.25:
        return float(rng.uniform(0.80, 0.83))
    if u < 0.30:
        return 1.0
    if u < 0.60:
        return float(rng.uniform(0.83, 1.0))
    return float(rng.uniform(0.5, 0.8))


def make_corpus(n_docs: int, seed: int, planted_share: float = 0.3
                ) -> tuple[list[str], list[list[int]]]:
    """``n_docs`` documents and the clusters (sorted document indices, 2+ members each)."""
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng, 30_000)
    weights = 1.0 / (np.arange(vocab.size) + 10.0)
    # Every source takes fresh words from one draw (at most 120 of 121 per document).
    pool = vocab[rng.choice(vocab.size, size=121 * n_docs, p=weights / weights.sum())].tolist()
    used = 0

    def words(n: int) -> list[str]:
        nonlocal used
        used += n
        return pool[used - n:used]

    docs: list[list[str]] = []
    clusters: list[list[int]] = []
    while len(docs) < n_docs:
        source = words(int(rng.integers(80, 121)))
        members = [len(docs)]
        docs.append(source)
        if rng.random() < planted_share:
            for _ in range(int(rng.integers(1, 4))):
                if len(docs) == n_docs:
                    break
                members.append(len(docs))
                docs.append(_edit(source, _target(rng), rng))
        if len(members) > 1:
            clusters.append(members)
    order = rng.permutation(n_docs)  # the copies land anywhere in the file
    where = np.empty(n_docs, dtype=np.int64)
    where[order] = np.arange(n_docs)
    texts = [" ".join(docs[i]) for i in order.tolist()]
    return texts, [sorted(where[m].tolist()) for m in clusters]


def _edit(source: list[str], target: float, rng: np.random.Generator) -> list[str]:
    m = len(source) - 4
    d = int(np.floor(m * (1 - target) / (1 + target)))
    slots = np.arange(4, len(source) - 5 - d % 5, 5)
    interior = min(d // 5, slots.size)
    ends = d - 5 * interior
    copy = list(source)
    for pos in rng.choice(slots, size=interior, replace=False).tolist():
        copy[pos] = f"{copy[pos]}{int(rng.integers(1 << 30)):x}"  # a word of its own
    for pos in range(len(copy) - ends, len(copy)):
        copy[pos] = f"{copy[pos]}{int(rng.integers(1 << 30)):x}"
    return copy


def shingles(text: str) -> set[str]:
    words = text.split()
    if len(words) < 5:
        return {" ".join(words)}
    return {" ".join(words[i:i + 5]) for i in range(len(words) - 4)}


def jaccard(first: str, second: str) -> float:
    a, b = shingles(first), shingles(second)
    return len(a & b) / len(a | b)


def true_pairs(texts: list[str], clusters: list[list[int]], threshold: float
               ) -> dict[tuple[int, int], float]:
    """Every pair inside a cluster whose exact similarity reaches ``threshold``."""
    found = {}
    for members in clusters:
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                similarity = jaccard(texts[a], texts[b])
                if similarity >= threshold:
                    found[(a, b)] = similarity
    return found
