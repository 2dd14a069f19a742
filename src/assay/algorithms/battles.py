"""Pairwise battles between models, integer-coded, and their counts per pair of models.

A battle says which of two models' replies a judge preferred: ``a`` won, ``b`` won, a
``tie`` or ``both_bad`` (which every rating here counts as a tie). :func:`encode_battles`
turns model names and verdicts into a :class:`Battles` once, at the edge;
:func:`count_battles` folds any number of battles into :class:`PairCounts`, one row per pair
of models that met, which is all the Bradley-Terry fit and its bootstrap ever read. The
counts do not depend on the order of the battles nor on which model sat on side ``a``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix

from assay.algorithms.answers import IntArray, _as_codes
from assay.algorithms.errors import (
    DisconnectedComparisonsError,
    InvalidParameterError,
    LabelOutOfRangeError,
    LengthMismatchError,
    NoAnswersError,
)

OUTCOMES: tuple[str, ...] = ("a", "b", "tie", "both_bad")
"""Verdict codes: ``OUTCOMES[code]`` is the verdict's name."""
A_WINS, B_WINS, TIE, BOTH_BAD = range(4)

__all__ = [
    "OUTCOMES", "Battles", "PairCounts", "comparison_components", "count_battles",
    "encode_battles", "require_connected",
]


@dataclass(frozen=True, eq=False)
class Battles:
    """Battle ``i`` put model ``model_a[i]`` against ``model_b[i]`` with verdict
    ``outcome[i]`` (a code into :data:`OUTCOMES`). The arrays are copied and made read-only
    on construction; codes are range-checked and a model never battles itself."""

    model_a: IntArray
    model_b: IntArray
    outcome: IntArray
    n_models: int

    def __post_init__(self) -> None:
        for name in ("model_a", "model_b", "outcome"):
            object.__setattr__(self, name, _as_codes(getattr(self, name), name))
        if not self.model_a.size == self.model_b.size == self.outcome.size:
            raise LengthMismatchError(
                f"model_a, model_b and outcome differ in length: {self.model_a.size}, "
                f"{self.model_b.size}, {self.outcome.size}")
        if self.n_models < 0:
            raise InvalidParameterError(f"n_models must be >= 0, got {self.n_models}")
        for name, codes, size in (("model_a", self.model_a, self.n_models),
                                   ("model_b", self.model_b, self.n_models),
                                   ("outcome", self.outcome, len(OUTCOMES))):
            bad = np.flatnonzero((codes < 0) | (codes >= size))
            if bad.size:
                raise LabelOutOfRangeError(
                    f"battle {bad[0]}: {name} code {codes[bad[0]]} is outside 0..{size - 1}")
        same = np.flatnonzero(self.model_a == self.model_b)
        if same.size:
            raise InvalidParameterError(
                f"battle {same[0]}: model {self.model_a[same[0]]} battles itself")

    @property
    def n_battles(self) -> int:
        return int(self.outcome.size)


@dataclass(frozen=True, eq=False)
class PairCounts:
    """Battles folded per pair of models: ``first[p] < second[p]`` met ``total[p]`` times;
    ``first`` won ``first_wins[p]``, ``second`` won ``second_wins[p]``, the rest were ties
    (``both_bad`` included). Pairs are sorted by ``(first, second)``; only pairs that met
    appear. Counts are float64 so bootstrap draws and weights share one type."""

    first: IntArray
    second: IntArray
    first_wins: npt.NDArray[np.float64]
    second_wins: npt.NDArray[np.float64]
    ties: npt.NDArray[np.float64]
    n_models: int

    @property
    def total(self) -> npt.NDArray[np.float64]:
        return self.first_wins + self.second_wins + self.ties

    def per_model(self) -> tuple[IntArray, IntArray, IntArray]:
        """``(wins, losses, ties)`` of every model (``battles`` is their sum)."""
        n = self.n_models
        wins = (np.bincount(self.first, self.first_wins, n)
                + np.bincount(self.second, self.second_wins, n))
        losses = (np.bincount(self.first, self.second_wins, n)
                  + np.bincount(self.second, self.first_wins, n))
        ties = np.bincount(self.first, self.ties, n) + np.bincount(self.second, self.ties, n)
        return (np.rint(wins).astype(np.int64), np.rint(losses).astype(np.int64),
                np.rint(ties).astype(np.int64))


def encode_battles(
    model_a: Sequence[Hashable], model_b: Sequence[Hashable], winner: Sequence[str],
) -> tuple[Battles, tuple[Hashable, ...]]:
    """Code battles given by model names and verdicts (``"a"``, ``"b"``, ``"tie"`` or
    ``"both_bad"``); models are coded in the order they first appear (side ``a`` of a battle
    before side ``b``). Returns the battles and the model names, by code.

    >>> battles, models = encode_battles(["x", "y"], ["y", "z"], ["a", "tie"])
    >>> battles.model_a.tolist(), battles.model_b.tolist(), battles.outcome.tolist(), models
    ([0, 1], [1, 2], [0, 2], ('x', 'y', 'z'))
    """
    if not len(model_a) == len(model_b) == len(winner):
        raise LengthMismatchError(
            f"model_a, model_b and winner differ in length: {len(model_a)}, {len(model_b)}, "
            f"{len(winner)}")
    codes: dict[Hashable, int] = {}
    a = np.empty(len(model_a), dtype=np.int64)
    b = np.empty(len(model_b), dtype=np.int64)
    for i, (left, right) in enumerate(zip(model_a, model_b, strict=True)):
        a[i] = codes.setdefault(left, len(codes))
        b[i] = codes.setdefault(right, len(codes))
    verdicts = {name: code for code, name in enumerate(OUTCOMES)}
    outcome = np.empty(len(winner), dtype=np.int64)
    for i, verdict in enumerate(winner):
        if verdict not in verdicts:
            raise LabelOutOfRangeError(
                f"battle {i}: winner {verdict!r} is not one of {', '.join(OUTCOMES)}")
        outcome[i] = verdicts[verdict]
    return Battles(a, b, outcome, len(codes)), tuple(codes)


def count_battles(battles: Battles) -> PairCounts:
    """Fold battles into counts per pair of models (see :class:`PairCounts`).

    >>> battles = Battles([0, 1, 0, 1], [1, 0, 2, 2], [0, 0, 2, 3], 3)
    >>> counts = count_battles(battles)
    >>> counts.first.tolist(), counts.second.tolist(), counts.first_wins.tolist()
    ([0, 0, 1], [1, 2, 2], [1.0, 0.0, 0.0])
    >>> counts.second_wins.tolist(), counts.ties.tolist()
    ([1.0, 0.0, 0.0], [0.0, 1.0, 1.0])
    """
    if battles.n_battles == 0:
        raise NoAnswersError("there are no battles")
    n = battles.n_models
    low = np.minimum(battles.model_a, battles.model_b)
    high = np.maximum(battles.model_a, battles.model_b)
    # Outcome seen from the pair's first (lower-coded) model: 0 it won, 1 it lost, 2 a tie.
    flipped = battles.model_a > battles.model_b
    oriented = np.where(battles.outcome >= TIE, 2, battles.outcome ^ flipped)
    if n * n <= 1_000_000:
        cells = np.bincount((low * n + high) * 3 + oriented, minlength=3 * n * n)
        grid = cells.reshape(n * n, 3)
        pair = np.flatnonzero(grid.sum(axis=1))
        table = grid[pair].astype(np.float64)
    else:
        pair, inverse = np.unique(low * n + high, return_inverse=True)
        table = np.zeros((pair.size, 3))
        np.add.at(table, (inverse, oriented), 1.0)
    first, second = np.divmod(pair.astype(np.int64), n)
    return PairCounts(first, second, table[:, 0].copy(), table[:, 1].copy(),
                      table[:, 2].copy(), n)


def comparison_components(
    counts: PairCounts, *, strong: bool = False,
) -> tuple[tuple[int, ...], ...]:
    """The groups of models linked by battles, as sorted tuples of codes, largest first.

    With ``strong=True`` the groups are those of the directed "beat or tied" graph (an edge
    ``i -> j`` when ``i`` beat or tied ``j`` at least once): maximum-likelihood ratings are
    all finite exactly when there is one such group (Ford 1957, ties counting both ways).
    """
    n = counts.n_models
    if strong:
        forward = counts.first_wins + counts.ties > 0
        backward = counts.second_wins + counts.ties > 0
        rows = np.concatenate([counts.first[forward], counts.second[backward]])
        cols = np.concatenate([counts.second[forward], counts.first[backward]])
    else:
        rows, cols = counts.first, counts.second
    graph = coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n)).tocsr()
    # Imported here: scipy.sparse.csgraph takes a fifth of a second to import, which every
    # command that imports the algorithms (``assay aggregate``) would pay for nothing.
    from scipy.sparse.csgraph import connected_components

    n_groups, group = connected_components(graph, directed=strong, connection="strong")
    members = [tuple(np.flatnonzero(group == g).tolist()) for g in range(n_groups)]
    return tuple(sorted(members, key=lambda m: (-len(m), m)))


def require_connected(counts: PairCounts) -> None:
    """Raise :class:`DisconnectedComparisonsError` unless every model is linked to every
    other through battles: ratings of groups that never met share no scale."""
    groups = comparison_components(counts)
    if len(groups) > 1:
        shown = "; ".join("{" + ", ".join(map(str, g)) + "}" for g in groups[:5])
        more = f" and {len(groups) - 5} more" if len(groups) > 5 else ""
        raise DisconnectedComparisonsError(
            f"the comparison graph is not connected: {len(groups)} groups of models never "
            f"met: {shown}{more}", groups)
