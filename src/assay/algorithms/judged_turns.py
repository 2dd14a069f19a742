"""The judged turn: one turn of a conversation, its candidate replies and what people said
about them. The kinds that hold preferences or scores read their tasks into these
(``Kind.judged_turns``); :mod:`assay.exports.judged` reads them into verdicts and every
post-training format is one function of a verdict. Pure, with the shared maths of rubric
scores (:func:`rubric_score`, :func:`rubric_unit`) and of rankings as entered
(:func:`groups_from_entered`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["Groups", "JudgedTurn", "Judgment", "Message", "Score", "counted_answers",
           "groups_from_entered", "messages_of", "rubric_score", "rubric_unit", "text_of",
           "unit_of", "user_turn"]

Message = dict[str, Any]
Groups = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Score:
    """One candidate's rubric score in one judgment: ``value`` in the rubric's units (the
    weighted mean over its criteria), ``unit`` the same mapped onto ``[0, 1]``."""

    value: float
    unit: float


@dataclass(frozen=True)
class Judgment:
    """One person's judgment of one turn."""

    ranking: Groups = ()
    scores: Mapping[str, Score] = field(default_factory=dict)
    ideal: str | None = None
    strength: float = 1.0


@dataclass(frozen=True)
class JudgedTurn:
    """One turn and its judgments. ``candidates`` maps id → reply text, in the order they
    were offered; ``given`` leading prompt messages came from the task data (not from
    people); ``last``: some conversation ended with this turn (it gives an ``sft`` row).
    ``preferences``, when the kind aggregates the turn's rankings by a fit, maps each
    ordered pair of candidate ids to the fitted probability that the first beats the
    second; its pairs then follow the fit instead of the share of the votes."""

    prompt: tuple[Message, ...]
    candidates: Mapping[str, str]
    judgments: tuple[Judgment, ...]
    given: int = 0
    last: bool = True
    preferences: Mapping[tuple[str, str], float] | None = None


def text_of(value: Any) -> str:
    """A message's or reply's text: a string as it is, the ``text`` or ``content`` of an
    object, else the value as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in ("text", "content"):
            if isinstance(value.get(key), str):
                return str(value[key])
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def messages_of(raw: Sequence[Mapping[str, Any]]) -> tuple[Message, ...]:
    """Chat messages as ``{"role", "content"}`` with text content."""
    return tuple({"role": str(m["role"]), "content": text_of(m.get("content", ""))}
                 for m in raw)


def user_turn(prompt: Any) -> tuple[Message, ...]:
    """A task's prompt as messages: its ``messages`` when it holds some, else one user
    message with its text."""
    if isinstance(prompt, Mapping) and isinstance(prompt.get("messages"), list):
        return messages_of(prompt["messages"])
    return ({"role": "user", "content": text_of(prompt)},)


def counted_answers(task: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers of a task object's ``responses`` (those that count)."""
    return [r["answer"] for r in task.get("responses") or [] if r.get("answer")]


def unit_of(value: float, low: float, high: float) -> float:
    """``value`` on a scale from ``low`` to ``high`` mapped onto ``[0, 1]`` (0.5 for a
    scale of one point).

    >>> unit_of(4, 1, 5)
    0.75
    """
    return (value - low) / (high - low) if high > low else 0.5


def rubric_score(rubric: Sequence[Mapping[str, Any]], scores: Mapping[str, float]) -> Score:
    """The weighted mean of one reply's criteria scores, and the same on ``[0, 1]``
    (each criterion from its ``min`` to its ``max``; defaults 1 and 5, weight 1).

    >>> rubric_score([{"id": "a", "weight": 3}, {"id": "b", "min": 0, "max": 10}],
    ...              {"a": 5, "b": 0})
    Score(value=3.75, unit=0.75)
    """
    total = value = unit = 0.0
    for criterion in rubric:
        got = scores.get(criterion["id"])
        if got is None:
            continue
        weight = float(criterion.get("weight", 1))
        low, high = float(criterion.get("min", 1)), float(criterion.get("max", 5))
        total += weight
        value += weight * float(got)
        unit += weight * (float(got) - low) / (high - low)
    return Score(value / total, unit / total) if total else Score(0.0, 0.5)


def rubric_unit(rubric: Sequence[Mapping[str, Any]], scores: Mapping[str, Any]) -> float | None:
    """The unweighted mean, on ``[0, 1]``, of the criteria that ``scores`` gives a number
    for; None when it gives none.

    >>> rubric_unit([{"id": "a"}, {"id": "b", "min": 0, "max": 10}], {"a": 5, "b": 5})
    0.75
    """
    units = [unit_of(float(scores[c["id"]]), float(c.get("min", 1)), float(c.get("max", 5)))
             for c in rubric if isinstance(scores.get(c["id"]), int | float)]
    return sum(units) / len(units) if units else None


def groups_from_entered(entered: Any, candidates: Sequence[str]) -> Groups:
    """A ranking as it was entered, as groups best first.

    Accepts groups (``[["a"], ["b", "c"]]``), a flat order (``["a", "b", "c"]``; a
    string and a list may mix), ranks by id (``{"a": 1, "b": 2, "c": 2}``: lower is
    better, equal ranks tie, gaps are allowed) and rank records
    (``[{"value": "a", "rank": 1}, …]``, also with ``"id"``). The order within a group and
    candidates left out are kept as entered. Raises ``ValueError`` for an id that is not a
    candidate or one named twice.

    >>> groups_from_entered({"b": 1, "a": 2, "c": 1}, ["a", "b", "c"])
    (('b', 'c'), ('a',))
    >>> groups_from_entered(["b", ["a", "c"]], ["a", "b", "c"])
    (('b',), ('a', 'c'))
    """
    if isinstance(entered, Mapping):
        ranks = dict(entered)
    elif entered and all(isinstance(item, Mapping) for item in entered):
        ranks = {item.get("value", item.get("id")): item["rank"] for item in entered}
    else:
        ranks = None
    if ranks is not None:
        levels = sorted(set(ranks.values()))
        groups = tuple(tuple(c for c, r in ranks.items() if r == level) for level in levels)
    else:
        groups = tuple((item,) if isinstance(item, str) else tuple(item)
                       for item in entered or ())
    seen: set[str] = set()
    known = set(candidates)
    for group in groups:
        for item in group:
            if item not in known:
                raise ValueError(f"the ranking names {item!r}, which is not a candidate")
            if item in seen:
                raise ValueError(f"the ranking names {item!r} twice")
            seen.add(item)
    return tuple(group for group in groups if group)
