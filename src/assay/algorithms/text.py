"""Consensus of free-text answers: the medoid under a string similarity."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assay.algorithms.errors import NoAnswersError

__all__ = ["TextConsensus", "aggregate_texts", "levenshtein_similarity", "normalize_text"]


@dataclass(frozen=True)
class TextConsensus:
    """The chosen answer, its position in the input, and ``support``: its mean similarity to
    the other answers (1.0 when there is only one answer)."""

    text: str
    index: int
    support: float


def normalize_text(text: str) -> str:
    """Case-fold and collapse runs of whitespace, so that trivial differences don't count."""
    return " ".join(text.casefold().split())


def levenshtein_similarity(first: str, second: str) -> float:
    """``1 - edit distance / length of the longer string`` (1.0 for two empty strings).

    >>> levenshtein_similarity("kitten", "sitting")
    0.5714285714285714
    """
    if len(first) < len(second):
        first, second = second, first
    if not first:
        return 1.0
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, start=1):
        current = [i]
        for j, other in enumerate(second, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char != other)))
        previous = current
    return 1.0 - previous[-1] / len(first)


def aggregate_texts(
    texts: Sequence[str],
    *,
    similarity: Callable[[str, str], float] = levenshtein_similarity,
    normalize: Callable[[str], str] | None = normalize_text,
) -> TextConsensus:
    """Pick the answer most similar to all the others (the medoid).

    Each answer is scored by its summed similarity to the other answers (after
    ``normalize``); the highest score wins, ties going to the earliest answer. The chosen
    answer is returned as written, not normalised. Quadratic in the number of answers, which
    is the overlap of one task (a handful).

    Parameters
    ----------
    texts : sequence of str
        The workers' answers to one task.
    similarity : callable
        Symmetric similarity in [0, 1]; default :func:`levenshtein_similarity`.
    normalize : callable or None
        Applied before comparing; default :func:`normalize_text`.

    Examples
    --------
    >>> aggregate_texts(["a red car", "A red  car", "a red cat", "blue"]).text
    'a red car'
    """
    import numpy as np

    if not texts:
        raise NoAnswersError("there are no answers to aggregate")
    compared = [normalize(text) if normalize else text for text in texts]
    n = len(compared)
    scores = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            scores[i, j] = scores[j, i] = similarity(compared[i], compared[j])
    if n == 1:
        return TextConsensus(texts[0], 0, 1.0)
    best = int(np.argmax(scores.sum(axis=1)))
    return TextConsensus(texts[best], best, float(scores[best].sum() / (n - 1)))
