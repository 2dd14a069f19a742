"""Consensus of text spans by character-level majority."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from assay.algorithms.errors import InvalidParameterError, LabelOutOfRangeError, NoAnswersError

Span = tuple[int, int, Hashable]
"""``(start, end, label)``: characters ``start .. end - 1`` (end exclusive)."""

__all__ = ["ConsensusSpan", "Span", "aggregate_spans"]


@dataclass(frozen=True)
class ConsensusSpan:
    """A span that a majority of workers marked; ``support`` is the mean share of workers
    covering its characters with this label."""

    start: int
    end: int
    label: Hashable
    support: float


def aggregate_spans(
    answers: Sequence[Sequence[Span]],
    *,
    threshold: float = 0.5,
) -> list[ConsensusSpan]:
    """Character-level majority vote over the spans that several workers marked in one text.

    Each character gets, for each label, the share of workers whose spans with that label
    cover it (a worker covering a character twice counts once). Characters whose share is
    strictly above ``threshold`` are kept, and runs of kept characters with the same label
    become the consensus spans. Different labels may overlap if each has its own majority.

    Parameters
    ----------
    answers : sequence of sequences of (start, end, label)
        One entry per worker (an empty list means "no span here", and counts as a vote).
    threshold : float
        Share of workers a character needs, strictly exceeded; 0.5 is a strict majority.

    Returns
    -------
    list of ConsensusSpan
        Sorted by start, then end, then label order of first appearance.

    Examples
    --------
    >>> [span] = aggregate_spans([[(0, 5, "PER")], [(0, 4, "PER")], [(1, 6, "PER")]])
    >>> span.start, span.end, span.label, round(span.support, 3)
    (0, 5, 'PER', 0.867)
    """
    if not answers:
        raise NoAnswersError("there are no answers to aggregate")
    if not 0.0 <= threshold < 1.0:
        raise InvalidParameterError("threshold must be in [0, 1)")
    labels: dict[Hashable, int] = {}
    spans = []
    for worker, worker_spans in enumerate(answers):
        for span in worker_spans:
            start, end, label = span
            if isinstance(start, bool) or isinstance(end, bool) or start < 0 or end <= start:
                raise LabelOutOfRangeError(f"span {span!r} needs 0 <= start < end")
            spans.append((worker, int(start), int(end), labels.setdefault(label, len(labels))))
    if not spans:
        return []
    length = max(end for _, _, end, _ in spans)
    n_workers = len(answers)
    # One coverage row per (worker, label), so that overlapping spans of one worker count once.
    covered = np.zeros((n_workers, len(labels), length + 1), dtype=np.int32)
    for worker, start, end, label in spans:
        covered[worker, label, start] += 1
        covered[worker, label, end] -= 1
    share = (np.cumsum(covered, axis=2)[:, :, :length] > 0).sum(axis=0) / n_workers
    result = []
    names = list(labels)
    for code, name in enumerate(names):
        kept = np.concatenate(([False], share[code] > threshold, [False]))
        edges = np.flatnonzero(np.diff(kept.astype(np.int8)))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            support = float(share[code, start:end].mean())
            result.append(ConsensusSpan(int(start), int(end), name, support))
    result.sort(key=lambda span: (span.start, span.end, labels[span.label]))
    return result
