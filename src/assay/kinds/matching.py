"""The bars an answer must clear to count as right against an expected one (gold,
training, review), and the shape of a kind's verdict.

Each kind scores an answer in [0, 1] (1 = identical) with its own measure; categorical
answers must agree exactly, spans, boxes, text and ratings earn partial credit and count as
right when the score clears the project's bar. The bars default to ``MatchPolicy()``; a
project may override them under ``quality.match`` (docs/quality.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class MatchPolicy:
    """The bars an answer must clear to count as right.

    ``min_f1`` applies to spans (character F1) and boxes (F1 of matched pairs);
    ``min_iou`` is the overlap a pair of boxes needs; ``min_similarity`` applies to text;
    ``min_jaccard`` to multi-label ``categorize``; ``rating_tolerance`` is how far a rating
    may be from the expected one, None meaning 10% of the scale, rounded to the nearest
    integer; ``tau`` is the Kendall tau-b a ranking (``chat``) needs against the expected one.
    """

    min_f1: float = 0.8
    min_iou: float = 0.5
    min_similarity: float = 0.9
    min_jaccard: float = 1.0
    rating_tolerance: int | None = None
    tau: float = 0.6

    @classmethod
    def from_quality(cls, quality: Mapping[str, Any] | None) -> MatchPolicy:
        """The policy of a project's ``quality`` object: defaults, then ``quality.match``."""
        given = (quality or {}).get("match") or {}
        return replace(cls(), **{k: v for k, v in given.items() if v is not None})


DEFAULT_POLICY = MatchPolicy()


@dataclass(frozen=True)
class Match:
    """How much of the expected answer an answer gets right (``score`` in [0, 1]) and
    whether it counts as right (``right``)."""

    score: float
    right: bool


def clears(score: float, bar: float) -> bool:
    """Whether a score reaches a bar. A score computed as a ratio may land a rounding error
    below a bar it meets exactly (4 of 5 characters against 0.8).

    >>> clears(4 / 5, 0.8), clears(0.79, 0.8)
    (True, False)
    """
    return score >= bar - 1e-9


def exact(same: bool) -> Match:
    """The verdict of an all-or-nothing comparison."""
    return Match(float(same), same)
