"""Judged turns: what people said about one turn's candidate replies, and what it supports.

A :class:`JudgedTurn` is one turn of a conversation: the messages up to it (``prompt``), its
candidate replies by id, and the judgments of the people who saw them — each a ranking
(groups best first, a group of two or more is a tie, candidates left out are unranked),
rubric scores per candidate and a written ideal reply. :func:`judge` reads it once into a
:class:`Verdict` — the ordered pairs it supports, the best reply, the replies that are
clearly good or bad — and every post-training format is one function of a verdict
(:mod:`assay.exports.formats`). Nothing here touches a database; inputs are never mutated.

The rules (``docs/exports.md`` says them for users):

- A pair of candidates is ordered by the share of the judgments that ranked both and put
  one above the other (a tie counts half to each). More than half makes a pair; exactly
  half is a tie and makes none; a candidate nobody ranked (a partial ranking) makes none.
  With ``min_share`` above 0 (a project's ``quality.target_confidence``), pairs whose share
  is below it are left out.
- ``margin`` is the mean, over those judgments, of how many rank groups separate the two
  (times the judgment's ``strength``, 1 unless the answer says how strong it is).
- A turn whose kind fitted its rankings (``JudgedTurn.preferences``: a ``chat`` turn two or
  more workers ranked, fitted by Bradley-Terry as the task's result is) follows the fit
  instead: the pair is ordered by the fitted probability that one beats the other, that
  probability is its share (and meets ``min_share`` or is left out), and ``margin`` is its
  log-odds, ``log(p / (1 - p))``, the two replies' difference in fitted strength.
- A written ideal reply (the medoid when several people wrote one) is preferred to every
  candidate of its turn, unless it is one of them word for word.
- The best reply: the ideal, else the candidate with the most pair wins less losses, then
  the highest mean score, then the best mean rank, then the first offered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from assay.algorithms.judged_turns import (
    Groups,
    JudgedTurn,
    Judgment,
    Message,
    Score,
    groups_from_entered,
)
from assay.algorithms.text import aggregate_texts

#: The key of a written ideal reply among a verdict's candidate ids.
IDEAL = "@ideal"

__all__ = ["IDEAL", "Groups", "JudgedTurn", "Judgment", "Message", "Pair", "Score",
           "Verdict", "groups_from_entered", "judge"]


@dataclass(frozen=True)
class Pair:
    """``chosen`` preferred to ``rejected`` (candidate ids, or :data:`IDEAL`)."""

    chosen: str
    rejected: str
    share: float
    margin: float
    score_chosen: float | None
    score_rejected: float | None


@dataclass(frozen=True)
class Verdict:
    """What a :class:`JudgedTurn` supports: see the module docstring."""

    turn: JudgedTurn
    ideal: str | None
    pairs: tuple[Pair, ...]
    best: str | None
    desirable: tuple[str, ...]
    undesirable: tuple[str, ...]

    def content(self, key: str) -> str:
        """The text of a candidate id, or of the ideal for :data:`IDEAL`."""
        if key == IDEAL:
            assert self.ideal is not None
            return self.ideal
        return self.turn.candidates[key]


def _positions(ranking: Groups) -> dict[str, int]:
    return {item: level for level, group in enumerate(ranking) for item in group}


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _ideal(turn: JudgedTurn) -> str | None:
    written = [j.ideal for j in turn.judgments if j.ideal and j.ideal.strip()]
    if not written:
        return None
    ideal = written[0] if len(written) == 1 else aggregate_texts(written).text
    if any(ideal.strip() == reply.strip() for reply in turn.candidates.values()):
        return None
    return ideal


def _candidate_pairs(turn: JudgedTurn, mean_score: Mapping[str, float | None]
                     ) -> tuple[list[Pair], dict[str, int]]:
    """Every ordered pair of candidates the rankings support (no threshold yet), and each
    candidate's wins less losses over them."""
    if turn.preferences is not None:
        return _fitted_pairs(turn, turn.preferences, mean_score)
    positions = [(_positions(j.ranking), j.strength) for j in turn.judgments]
    pairs: list[Pair] = []
    copeland = dict.fromkeys(turn.candidates, 0)
    for a, b in combinations(turn.candidates, 2):
        wins, gaps = 0.0, []
        for pos, strength in positions:
            if a in pos and b in pos:
                wins += 1.0 if pos[a] < pos[b] else 0.5 if pos[a] == pos[b] else 0.0
                gaps.append((pos[b] - pos[a]) * strength)
        if not gaps or wins * 2 == len(gaps):
            continue
        share = wins / len(gaps)
        margin = sum(gaps) / len(gaps)
        if share < 0.5:
            a, b, share, margin = b, a, 1.0 - share, -margin
        pairs.append(Pair(a, b, share, margin, mean_score[a], mean_score[b]))
        copeland[a] += 1
        copeland[b] -= 1
    return pairs, copeland


def _fitted_pairs(turn: JudgedTurn, preferences: Mapping[tuple[str, str], float],
                  mean_score: Mapping[str, float | None]) -> tuple[list[Pair], dict[str, int]]:
    """The pairs of a turn whose kind fitted its rankings: the fitted probability is the
    share, its log-odds the margin; an even probability makes no pair."""
    pairs: list[Pair] = []
    copeland = dict.fromkeys(turn.candidates, 0)
    for a, b in combinations(turn.candidates, 2):
        p = preferences[(a, b)]
        if p < 0.5:
            a, b, p = b, a, preferences[(b, a)]
        if math.isclose(p, 0.5, abs_tol=1e-9):
            continue
        pairs.append(Pair(a, b, p, math.log(p / (1.0 - p)), mean_score[a], mean_score[b]))
        copeland[a] += 1
        copeland[b] -= 1
    return pairs, copeland


def _ideal_pairs(turn: JudgedTurn, mean_score: Mapping[str, float | None]) -> list[Pair]:
    out = []
    for c in turn.candidates:
        gaps = [(pos[c] + 1) * j.strength for j in turn.judgments
                if c in (pos := _positions(j.ranking))]
        out.append(Pair(IDEAL, c, 1.0, _mean(gaps) or 1.0, None, mean_score[c]))
    return out


def judge(turn: JudgedTurn, min_share: float = 0.0) -> Verdict:
    """Read a judged turn into a :class:`Verdict` (rules in the module docstring).

    >>> turn = JudgedTurn(prompt=({"role": "user", "content": "Hi"},),
    ...                   candidates={"a": "Hello!", "b": "Go away."},
    ...                   judgments=(Judgment(ranking=(("a",), ("b",))),))
    >>> v = judge(turn)
    >>> (v.best, [(p.chosen, p.rejected, p.share) for p in v.pairs], v.undesirable)
    ('a', [('a', 'b', 1.0)], ('b',))
    """
    scores: dict[str, list[Score]] = {c: [] for c in turn.candidates}
    for j in turn.judgments:
        for c, score in j.scores.items():
            scores[c].append(score)
    mean_score = {c: _mean([s.value for s in v]) for c, v in scores.items()}
    mean_unit = {c: _mean([s.unit for s in v]) for c, v in scores.items()}
    pairs, copeland = _candidate_pairs(turn, mean_score)
    kept = [p for p in pairs if p.share >= min_share]
    ideal = _ideal(turn)
    if ideal is not None:
        kept = _ideal_pairs(turn, mean_score) + kept
    ranked = any(j.ranking for j in turn.judgments)
    if ranked:
        won = {p.chosen for p in kept if p.chosen != IDEAL}
        lost = {p.rejected for p in kept if p.chosen != IDEAL}
        good = [c for c in turn.candidates if c in won and c not in lost]
        bad = [c for c in turn.candidates if c in lost and c not in won]
    else:
        good = [c for c, u in mean_unit.items() if u is not None and u > 0.5]
        bad = [c for c, u in mean_unit.items() if u is not None and u < 0.5]
    order = list(turn.candidates)
    mean_rank = {c: _mean([float(p[c]) for j in turn.judgments
                           if c in (p := _positions(j.ranking))]) for c in order}
    judged = [c for c in order if mean_score[c] is not None or mean_rank[c] is not None]
    best: str | None = None
    if ideal is not None:
        best = IDEAL
    elif judged:
        best = min(judged, key=lambda c: (-copeland[c], -(mean_score[c] or 0.0),
                                          mean_rank[c] if mean_rank[c] is not None else 1e9,
                                          order.index(c)))
    return Verdict(turn=turn, ideal=ideal, pairs=tuple(kept), best=best,
                   desirable=((IDEAL,) if ideal is not None else ()) + tuple(good),
                   undesirable=tuple(bad))
