"""How close one answer is to another: the partial-credit scores behind gold checks.

Each function compares an answer with a reference answer and returns a score in [0, 1],
1 for identical answers. Two empty answers are identical (1.0); an empty answer against a
non-empty one scores 0.0. The spans, boxes and labels scores are symmetric in their two
arguments.

- :func:`span_f1`: character-level F1 of two span selections, label by label.
- :func:`box_f1`: F1 of a one-to-one matching of boxes of the same label at an IoU bar.
- :func:`label_jaccard`: Jaccard index of two label sets.
- :func:`text_similarity`: ``1 - edit distance / longer length`` after normalising.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence

import numpy as np

from assay.algorithms.boxes import Box, iou_matrix
from assay.algorithms.errors import InvalidParameterError, LabelOutOfRangeError
from assay.algorithms.spans import Span
from assay.algorithms.text import normalize_text

__all__ = ["box_f1", "edit_distance", "label_jaccard", "span_f1", "text_similarity"]


def _f1(overlap: float, size_first: float, size_second: float) -> float:
    """``2 |A ∩ B| / (|A| + |B|)``, 1.0 when both are empty."""
    total = size_first + size_second
    return 1.0 if total == 0 else 2.0 * overlap / total


def _coverage(spans: Sequence[Span], points: np.ndarray) -> np.ndarray:
    """Whether each segment ``points[i] .. points[i + 1]`` is covered by some span."""
    steps = np.zeros(len(points), dtype=np.int64)
    for start, end, _ in spans:
        steps[np.searchsorted(points, start)] += 1
        steps[np.searchsorted(points, end)] -= 1
    return np.asarray(np.cumsum(steps)[:-1] > 0)


def _check_spans(spans: Sequence[Span]) -> None:
    for span in spans:
        start, end, _ = span
        if isinstance(start, bool) or isinstance(end, bool) or not 0 <= start < end:
            raise LabelOutOfRangeError(f"span {span!r} needs 0 <= start < end")


def span_f1(expected: Sequence[Span], answer: Sequence[Span]) -> float:
    """Character-level F1 of two span selections of one text, micro-averaged over labels.

    Each selection is read as the set of (character, label) pairs its spans cover (a
    character covered twice with one label counts once). With E and A those sets,

    .. math:: F_1 = \\frac{2 |E \\cap A|}{|E| + |A|},

    the harmonic mean of precision ``|E ∩ A| / |A|`` and recall ``|E ∩ A| / |E|``. Work is
    linear in the number of spans (coordinates are compressed), not in the text's length.

    Parameters
    ----------
    expected, answer : sequence of (start, end, label)
        Spans with ``0 <= start < end`` (end exclusive); either may be empty.

    Returns
    -------
    float
        In [0, 1]; 1.0 when both are empty, 0.0 when exactly one is.

    Examples
    --------
    >>> span_f1([(0, 10, "ORG")], [(1, 10, "ORG")])
    0.9473684210526315
    >>> span_f1([(0, 10, "ORG")], [(0, 10, "PER")])
    0.0
    >>> span_f1([], [])
    1.0
    """
    _check_spans(expected)
    _check_spans(answer)
    overlap = size_expected = size_answer = 0
    for label in {span[2] for span in (*expected, *answer)}:
        first = [span for span in expected if span[2] == label]
        second = [span for span in answer if span[2] == label]
        points = np.unique([int(v) for start, end, _ in (*first, *second) for v in (start, end)])
        lengths = np.diff(points)
        covered_first, covered_second = _coverage(first, points), _coverage(second, points)
        overlap += int(lengths[covered_first & covered_second].sum())
        size_expected += int(lengths[covered_first].sum())
        size_answer += int(lengths[covered_second].sum())
    return _f1(overlap, size_expected, size_answer)


def _box_array(boxes: Sequence[Box]) -> np.ndarray:
    coords = np.array([box[:4] for box in boxes], dtype=float).reshape(-1, 4)
    if not (np.isfinite(coords).all() and (coords[:, :2] < coords[:, 2:]).all()):
        raise LabelOutOfRangeError("boxes need finite x0 < x1 and y0 < y1")
    return coords


def box_f1(expected: Sequence[Box], answer: Sequence[Box], *, min_iou: float = 0.5) -> float:
    """F1 of the best one-to-one matching between two sets of boxes.

    Boxes of the same label whose IoU reaches ``min_iou`` may be paired, each box at most
    once. The matching with the most pairs is a maximum bipartite matching, found with the
    Hungarian algorithm (``scipy.optimize.linear_sum_assignment``) on the 0/1 "may pair"
    matrix of each label. With M pairs, ``F1 = 2M / (|E| + |A|)``: precision M/|A| and
    recall M/|E|, as in object-detection scoring (Everingham et al., "The PASCAL Visual
    Object Classes (VOC) Challenge", IJCV 88, 2010), with the greedy detection order
    replaced by an optimal matching.

    Parameters
    ----------
    expected, answer : sequence of (x0, y0, x1, y1, label)
        Boxes with finite ``x0 < x1`` and ``y0 < y1``; either may be empty.
    min_iou : float
        The IoU a pair needs, in (0, 1].

    Returns
    -------
    float
        In [0, 1]; 1.0 when both are empty, 0.0 when exactly one is.

    Examples
    --------
    >>> box_f1([(0, 0, 10, 10, "car")], [(1, 0, 11, 10, "car")])
    1.0
    >>> box_f1([(0, 0, 10, 10, "car"), (20, 20, 30, 30, "car")], [(0, 0, 10, 10, "car")])
    0.6666666666666666
    >>> box_f1([(0, 0, 10, 10, "car")], [(0, 0, 10, 10, "bus")])
    0.0
    """
    if not 0.0 < min_iou <= 1.0:
        raise InvalidParameterError("min_iou must be in (0, 1]")
    first, second = _box_array(expected), _box_array(answer)
    pairs = 0
    for label in {box[4] for box in (*expected, *answer)}:
        rows = [i for i, box in enumerate(expected) if box[4] == label]
        cols = [j for j, box in enumerate(answer) if box[4] == label]
        if not rows or not cols:
            continue
        allowed = iou_matrix(first[rows], second[cols]) >= min_iou
        # Imported here: scipy.optimize costs a tenth of a second to import, which every
        # command that imports the algorithms (``assay aggregate``) would pay for nothing.
        from scipy.optimize import linear_sum_assignment

        chosen = linear_sum_assignment(allowed, maximize=True)
        pairs += int(allowed[chosen].sum())
    return _f1(pairs, len(expected), len(answer))


def label_jaccard(expected: Collection[Hashable], answer: Collection[Hashable]) -> float:
    """Jaccard index: shared labels over all labels named, ``len(E & A) / len(E | A)``.

    Two empty sets score 1.0 (both say "none of these apply").

    >>> label_jaccard({"red", "blue"}, {"red"})
    0.5
    >>> label_jaccard([], [])
    1.0
    """
    first, second = set(expected), set(answer)
    union = len(first | second)
    return 1.0 if union == 0 else len(first & second) / union


def edit_distance(first: str, second: str) -> int:
    """Levenshtein distance (insertions, deletions and substitutions each cost 1).

    Myers' bit-parallel algorithm in the form for the global distance (Myers, "A fast
    bit-vector algorithm for approximate string matching based on dynamic programming",
    JACM 46(3), 1999; Hyyrö, "A bit-vector algorithm for computing Levenshtein and Damerau
    edit distances", Nordic J. Computing 10, 2003). One column of the dynamic-programming
    table is held as two bit vectors of vertical deltas (+1 and -1) over the longer string,
    and each character of the shorter one advances it with a few integer operations. With
    Python's big integers that is O(n) operations on m-bit integers instead of n·m Python
    steps: two 5,000-character texts take milliseconds.

    >>> edit_distance("kitten", "sitting")
    3
    >>> edit_distance("", "abc")
    3
    """
    pattern, text = (first, second) if len(first) >= len(second) else (second, first)
    if not text:
        return len(pattern)
    match: dict[str, int] = {}
    for i, char in enumerate(pattern):
        match[char] = match.get(char, 0) | (1 << i)
    mask = (1 << len(pattern)) - 1
    last = 1 << (len(pattern) - 1)
    plus, minus, distance = mask, 0, len(pattern)
    for char in text:
        equal = match.get(char, 0)
        vertical = equal | minus
        horizontal = ((((equal & plus) + plus) & mask) ^ plus) | equal
        horizontal_plus = minus | (~(horizontal | plus) & mask)
        horizontal_minus = plus & horizontal
        if horizontal_plus & last:
            distance += 1
        elif horizontal_minus & last:
            distance -= 1
        # The first row of the table is 0, 1, 2, ...: its delta is always +1.
        horizontal_plus = ((horizontal_plus << 1) | 1) & mask
        horizontal_minus = (horizontal_minus << 1) & mask
        plus = horizontal_minus | (~(vertical | horizontal_plus) & mask)
        minus = horizontal_plus & vertical
    return distance


def text_similarity(expected: str, answer: str, *, normalize: bool = True) -> float:
    """``1 - edit distance / length of the longer string``, in [0, 1].

    The same value as :func:`assay.algorithms.text.levenshtein_similarity`, computed with
    :func:`edit_distance` so that long texts stay cheap. With ``normalize`` (the default)
    both strings are case-folded and their whitespace trimmed and collapsed first
    (:func:`assay.algorithms.text.normalize_text`). Two empty strings score 1.0.

    >>> text_similarity("  A grey cat ", "a grey  cat")
    1.0
    >>> round(text_similarity("a grey cat", "a grey hat"), 2)
    0.9
    """
    if normalize:
        expected, answer = normalize_text(expected), normalize_text(answer)
    longest = max(len(expected), len(answer))
    return 1.0 if longest == 0 else 1.0 - edit_distance(expected, answer) / longest
