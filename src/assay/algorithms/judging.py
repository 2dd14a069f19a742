"""An LLM judge, its pure parts: the prompt, the verdict, position swaps, and how far to
trust it (agreement with people, biases).

A judge sees the prompt and two replies and ends its answer with one verdict tag:
``[[A]]``, ``[[B]]``, ``[[TIE]]`` or ``[[BOTH_BAD]]`` (the MT-Bench pairwise format, with
"both bad" added). Every battle is judged twice, the second time with the replies swapped;
:func:`reconcile` keeps a verdict both orders agree on and calls the battle a tie otherwise,
which cancels the judge's preference for a position (Zheng et al. 2023, §3.4).

Agreement with people is measured on the battles both judged, with verdicts folded to three
classes (``a``, ``b``, a tie — ``both_bad`` is a tie, as in every rating): accuracy with a
Wilson score interval, and Cohen's kappa with a bootstrap percentile interval (the 3-by-3 table
of verdict pairs resampled as one multinomial draw per round, all rounds at once).

Biases, none of which open tools report:

- position: the share of battles whose verdict changes when the sides swap (FastChat's GPT-4
  judgments flipped on 12.9%, its issue 3911);
- length: the share of decisive verdicts won by the longer reply (there, 68%);
- self-preference: when the judge is also a contestant, its win rate for itself against the
  people's win rate for it on the same battles.

Reference: L. Zheng et al., "Judging LLM-as-a-judge with MT-Bench and Chatbot Arena",
NeurIPS 2023 Datasets and Benchmarks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from assay.algorithms.agreement import cohen_kappa
from assay.algorithms.battles import BOTH_BAD, OUTCOMES, TIE
from assay.algorithms.errors import (
    InvalidParameterError,
    LengthMismatchError,
    UndefinedStatisticError,
)

__all__ = ["Agreement", "SelfPreference", "agreement", "judge_messages", "longer_reply_wins",
           "parse_verdict", "position_flips", "reconcile", "self_preference", "swap"]

DEFAULT_RUBRIC = ("Which reply follows the user's instructions and answers the question "
                  "better? Consider helpfulness, correctness, depth and clarity; ignore "
                  "length and the order the replies are shown in.")
_TAGS = {"A": "a", "B": "b", "TIE": "tie", "BOTH_BAD": "both_bad"}
_VERDICT = re.compile(r"\[\[\s*(A|B|TIE|BOTH[_ ]BAD)\s*\]\]", re.IGNORECASE)


def judge_messages(prompt: str, first: str, second: str, *, rubric: str | None = None,
                   reference: str | None = None) -> list[dict[str, str]]:
    """The chat messages that ask a judge to compare ``first`` (shown as A) with
    ``second`` (shown as B)."""
    system = (
        "You are an impartial judge of two AI assistants' replies to the same user prompt. "
        + (rubric or DEFAULT_RUBRIC)
        + " Explain briefly, then end with exactly one verdict: [[A]] if reply A is better, "
        "[[B]] if reply B is better, [[TIE]] if they are equally good, [[BOTH_BAD]] if "
        "neither is acceptable.")
    parts = [f"[User prompt]\n{prompt}"]
    if reference is not None:
        parts.append(f"[Reference answer]\n{reference}")
    parts += [f"[Reply A]\n{first}", f"[Reply B]\n{second}"]
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n\n".join(parts)}]


def parse_verdict(text: str) -> str | None:
    """The last verdict tag in a judge's answer (``"a"``, ``"b"``, ``"tie"``,
    ``"both_bad"``), or ``None`` when it gave none.

    >>> parse_verdict("B is vague. [[A]]"), parse_verdict("[[a]] no, [[Both bad]]")
    ('a', 'both_bad')
    >>> parse_verdict("A is better") is None
    True
    """
    found = _VERDICT.findall(text)
    if not found:
        return None
    return _TAGS[found[-1].upper().replace(" ", "_")]


def swap(verdict: str | None) -> str | None:
    """A verdict given with the sides swapped, told from the original sides."""
    return {"a": "b", "b": "a"}.get(verdict or "", verdict)


def reconcile(first: str | None, swapped: str | None) -> tuple[str | None, bool]:
    """One verdict from two judgments of a battle: ``first`` with the sides as they are,
    ``swapped`` with them exchanged (as the judge said it, A meaning the original B).

    Returns the verdict and whether the two orders disagreed. Agreeing orders give their
    verdict; disagreeing ones a tie (the judge's preference was its position, not a reply).
    A missing judgment leaves the other one (no flip can be seen); two give ``None``.

    >>> reconcile("a", "b"), reconcile("a", "a"), reconcile(None, "a")
    (('a', False), ('tie', True), ('b', False))
    """
    back = swap(swapped)
    if first is None or back is None:
        return (first if back is None else back), False
    if first == back:
        return first, False
    return "tie", True


def position_flips(first: Sequence[str | None], swapped: Sequence[str | None]) -> float | None:
    """The share of battles, among those judged in both orders, whose verdict changed when
    the sides swapped (``None`` when no battle was judged twice).

    >>> position_flips(["a", "b", "tie", None], ["b", "b", "tie", "a"])
    0.3333333333333333
    """
    pairs = [(f, swap(s)) for f, s in zip(first, swapped, strict=True)
             if f is not None and s is not None]
    return sum(f != s for f, s in pairs) / len(pairs) if pairs else None


def longer_reply_wins(verdicts: Sequence[str | None], length_a: Sequence[int],
                      length_b: Sequence[int]) -> tuple[float | None, int]:
    """The share of decisive verdicts (``a`` or ``b``) won by the longer reply, over battles
    whose replies differ in length, and how many such battles there were.

    >>> longer_reply_wins(["a", "b", "tie", "a"], [90, 10, 5, 3], [10, 50, 9, 3])
    (1.0, 2)
    """
    if not len(verdicts) == len(length_a) == len(length_b):
        raise LengthMismatchError("verdicts and lengths differ in length")
    won = [(v == "a") == (la > lb) for v, la, lb in zip(verdicts, length_a, length_b, strict=True)
           if v in ("a", "b") and la != lb]
    return (sum(won) / len(won) if won else None), len(won)


@dataclass(frozen=True)
class SelfPreference:
    """The judge's own model as a contestant: ``battles`` it met with a decisive judge
    verdict, the judge's win rate for it, and the people's win rate for it on those of the
    battles people decided (``None`` when they decided none)."""

    battles: int
    judge_win_rate: float | None
    human_win_rate: float | None


def self_preference(judge: Sequence[str | None], human: Sequence[str | None],
                    own_side: Sequence[str | None]) -> SelfPreference:
    """How often the judge makes its own model win. ``own_side[i]`` is ``"a"`` or ``"b"``
    when the judge's model replied on that side of battle ``i``, else ``None``.

    >>> self_preference(["a", "b", "a"], ["b", None, "a"], ["a", "a", None])
    SelfPreference(battles=2, judge_win_rate=0.5, human_win_rate=0.0)
    """
    if not len(judge) == len(human) == len(own_side):
        raise LengthMismatchError("judge, human and own_side differ in length")
    mine = [(j, h, s) for j, h, s in zip(judge, human, own_side, strict=True)
            if s in ("a", "b") and j in ("a", "b")]
    people = [h == s for _, h, s in mine if h in ("a", "b")]
    return SelfPreference(
        battles=len(mine),
        judge_win_rate=sum(j == s for j, _, s in mine) / len(mine) if mine else None,
        human_win_rate=sum(people) / len(people) if people else None)


@dataclass(frozen=True)
class Agreement:
    """A judge against people on ``battles`` both judged: ``accuracy`` (the share of equal
    verdicts) and Cohen's ``kappa``, each with its ``level`` interval; ``kappa`` and its
    interval are ``None`` when chance agreement is total (one verdict everywhere)."""

    battles: int
    accuracy: float
    accuracy_ci: tuple[float, float]
    kappa: float | None
    kappa_ci: tuple[float, float] | None
    level: float


def _folded(verdicts: Sequence[str]) -> npt.NDArray[np.int64]:
    codes = {name: code for code, name in enumerate(OUTCOMES)}
    bad = [v for v in verdicts if v not in codes]
    if bad:
        raise InvalidParameterError(f"unknown verdict {bad[0]!r}")
    raw = np.array([codes[v] for v in verdicts], dtype=np.int64)
    return np.where(raw == BOTH_BAD, TIE, raw)


def _wilson(hits: int, n: int, z: float) -> tuple[float, float]:
    centre = (hits + z * z / 2) / (n + z * z)
    half = z * math.sqrt(hits * (n - hits) / n + z * z / 4) / (n + z * z)
    return max(0.0, centre - half), min(1.0, centre + half)


def _kappas(tables: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Unweighted kappa of each (rounds, 3, 3) table of counts; NaN where undefined."""
    n = tables.sum(axis=(1, 2))
    observed = np.trace(tables, axis1=1, axis2=2) / n
    chance = (tables.sum(axis=2) * tables.sum(axis=1)).sum(axis=1) / n**2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(chance < 1, (observed - chance) / (1 - chance), np.nan)


def agreement(judge: Sequence[str], human: Sequence[str], *, rounds: int = 1000,
              rng: np.random.Generator, level: float = 0.95) -> Agreement:
    """Accuracy and Cohen's kappa of the judge's verdicts against people's, battle by
    battle, with ``level`` intervals (see the module docstring).

    >>> found = agreement(["a", "b", "tie", "a"], ["a", "b", "both_bad", "b"], rounds=200,
    ...                   rng=np.random.default_rng(0))
    >>> found.battles, found.accuracy, round(found.kappa, 4)
    (4, 0.75, 0.6364)
    """
    if len(judge) != len(human):
        raise LengthMismatchError("judge and human verdicts differ in length")
    if not judge:
        raise InvalidParameterError("no battle was judged by both")
    if rounds < 1 or not (math.isfinite(level) and 0 < level < 1):
        raise InvalidParameterError("rounds must be >= 1 and level lie in (0, 1)")
    first, second = _folded(judge), _folded(human)
    n = first.size
    hits = int((first == second).sum())
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    try:
        kappa: float | None = cohen_kappa(first, second, 3)
    except UndefinedStatisticError:
        kappa = None
    kappa_ci = None
    if kappa is not None:
        table = np.bincount(first * 3 + second, minlength=9).astype(np.float64)
        draws = rng.multinomial(n, table / n, size=rounds).reshape(rounds, 3, 3)
        values = _kappas(draws.astype(np.float64))
        values = values[~np.isnan(values)]
        if values.size:
            tail = (1 - level) / 2
            low, high = np.quantile(values, [tail, 1 - tail])
            kappa_ci = (min(float(low), kappa), max(float(high), kappa))
    return Agreement(battles=n, accuracy=hits / n, accuracy_ci=_wilson(hits, n, z),
                     kappa=kappa, kappa_ci=kappa_ci, level=level)
