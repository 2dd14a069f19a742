"""Plurality over answer values that are not yet integer codes.

The kinds turn each answer into a hashable key (a label, a tuple of labels, a choice), order
the distinct keys canonically, and hand the integer codes to
:func:`assay.algorithms.simple.plurality_vote`. Because the codes follow the canonical order,
a tie goes to the key that comes first in it, whatever the order of the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)


def plurality_of(keys: Sequence[K], rank: Callable[[K], Any]) -> tuple[K, float]:
    """Return the most frequent key and its share of the votes.

    Parameters
    ----------
    keys : sequence of hashable
        One key per answer; at least one.
    rank : callable
        Sort key giving the canonical order of distinct keys; it must order any two distinct
        keys strictly, so that the tie-break is deterministic.

    Returns
    -------
    (key, share)
        The winning key and the share of answers that agree with it, in ``(0, 1]``.

    Examples
    --------
    >>> plurality_of(["b", "a", "b"], rank=str)
    ('b', 0.6666666666666666)
    >>> plurality_of(["b", "a"], rank=str)  # a tie: the first key in canonical order wins
    ('a', 0.5)
    """
    from assay.algorithms.simple import plurality_vote

    classes = sorted(set(keys), key=rank)
    code = {key: i for i, key in enumerate(classes)}
    result = plurality_vote([code[key] for key in keys], n_classes=len(classes))
    return classes[result.winner], result.share
