"""Whether a worker's answer matches an expected one: gold, training and review checks.

Both answers are in their kind's normalized form; each kind scores them with its own
measure (``Kind.match``: exact for categorical answers, partial credit for spans, boxes,
text and ratings) against the project's bars, ``MatchPolicy()`` by default, overridden under
``quality.match``. docs/quality.md gives the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assay.kinds import get_kind
from assay.kinds.matching import DEFAULT_POLICY, MatchPolicy

__all__ = ["DEFAULT_POLICY", "MatchPolicy", "answer_score", "answers_match"]


def answer_score(kind: str, params: Mapping[str, Any], expected: Mapping[str, Any],
                 answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> float:
    """How much of the expected answer the answer gets right, in [0, 1] (1 = identical)."""
    return get_kind(kind).match(params, expected, answer, policy).score


def answers_match(kind: str, params: Mapping[str, Any], expected: Mapping[str, Any],
                  answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> bool:
    """Whether the answer counts as right against the expected answer under ``policy``."""
    return get_kind(kind).match(params, expected, answer, policy).right
