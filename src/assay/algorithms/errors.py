"""Errors raised by the algorithms on degenerate or malformed input.

Every error is a :class:`ValueError`, so callers that only know "bad input" can catch that,
while the service layer can map each subclass to its own error code.
"""

from __future__ import annotations

__all__ = [
    "AlgorithmInputError",
    "DisconnectedComparisonsError",
    "DuplicateAnswerError",
    "EmptyTaskError",
    "InvalidParameterError",
    "LabelOutOfRangeError",
    "LengthMismatchError",
    "NoAnswersError",
    "UnboundedRatingsError",
    "UndefinedStatisticError",
]


class AlgorithmInputError(ValueError):
    """Base class: the input cannot be aggregated as given."""


class NoAnswersError(AlgorithmInputError):
    """There is not a single answer to aggregate."""


class EmptyTaskError(AlgorithmInputError):
    """A task has no answer, so nothing can be inferred about it."""


class LabelOutOfRangeError(AlgorithmInputError):
    """A task, worker or label code lies outside ``0 .. n - 1``."""


class LengthMismatchError(AlgorithmInputError):
    """Arrays that describe the same answers have different lengths."""


class DuplicateAnswerError(AlgorithmInputError):
    """A worker answered the same task twice and the policy is ``"error"``."""


class InvalidParameterError(AlgorithmInputError):
    """A parameter is outside its allowed range (negative smoothing, zero iterations, ...)."""


class UndefinedStatisticError(AlgorithmInputError):
    """The statistic is undefined for this input (e.g. kappa when every answer agrees by
    chance with probability 1)."""


class DisconnectedComparisonsError(AlgorithmInputError):
    """The models fall into groups that never met, so no rating compares across groups.

    ``components`` holds the groups as sorted tuples of model codes, largest group first.
    """

    def __init__(self, message: str, components: tuple[tuple[int, ...], ...]) -> None:
        super().__init__(message)
        self.components = components


class UnboundedRatingsError(AlgorithmInputError):
    """Without a prior, some models' maximum-likelihood ratings are infinite: a group of
    models never lost to (or never beat, or tied) the rest.

    ``components`` holds the strongly connected groups of the "beat or tied" graph as sorted
    tuples of model codes, largest group first.
    """

    def __init__(self, message: str, components: tuple[tuple[int, ...], ...]) -> None:
        super().__init__(message)
        self.components = components
