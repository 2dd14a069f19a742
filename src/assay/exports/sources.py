"""Judged turns from the task objects of the kinds that hold preferences or scores.

- ``chat``: every turn of every counted answer, grouped by its set of candidates — a turn
  that every worker of the task shared (the same candidates) is one judged turn with one
  judgment per worker; a worker's own later turns are judged by that worker alone. A turn
  is *last* (an ``sft`` row) when some worker's conversation ended there. The
  candidates' texts and the messages each turn answered come from ``sources`` (candidate id
  → ``{"content", "messages", …}``, as the conversations service gives them).
- ``compare``: the task's ``prompt`` with ``a`` and ``b`` as two candidates; each answer's
  ``choice`` ranks them (``"tie"`` and ``"both_bad"`` tie them, as in the leaderboard) and
  its ``strength`` weighs the margin.
- ``rate``: a task whose data holds ``prompt`` and ``completion`` (or ``messages`` ending
  with the assistant's reply) gives one candidate scored by each answer.

Only the answers that count are read; the module is pure (task objects in, turns out).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from assay.db.jsoncodec import dumps_json
from assay.exports.judged import (
    Groups,
    JudgedTurn,
    Judgment,
    Message,
    Score,
    groups_from_entered,
)

__all__ = ["chat_turns", "compare_turns", "rate_turns"]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in ("text", "content"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return dumps_json(value)


def _messages(raw: Sequence[Mapping[str, Any]]) -> tuple[Message, ...]:
    return tuple({"role": str(m["role"]), "content": _text(m.get("content", ""))}
                 for m in raw)


def _answers(task: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [r["answer"] for r in task.get("responses") or [] if r.get("answer")]


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


def chat_turns(task: Mapping[str, Any], params: Mapping[str, Any],
               sources: Mapping[str, Mapping[str, Any]]) -> Iterator[JudgedTurn]:
    """The judged turns of one ``chat`` task (module docstring)."""
    rubric = params.get("rubric") or []
    given = len((task.get("data") or {}).get("messages") or [])
    by_key: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    ends: set[tuple[str, ...]] = set()
    for answer in _answers(task):
        turns = answer.get("turns") or []
        for turn in turns:
            by_key.setdefault(tuple(turn["candidates"]), []).append(turn)
        if turns:
            ends.add(tuple(turns[-1]["candidates"]))
    for key, turns in by_key.items():
        prompt = _messages(sources[key[0]].get("messages") or [])
        judgments = tuple(
            Judgment(ranking=groups_from_entered(t.get("ranking"), key),
                     scores={c: rubric_score(rubric, s)
                             for c, s in (t.get("scores") or {}).items()},
                     ideal=t.get("ideal"))
            for t in turns)
        yield JudgedTurn(prompt=prompt,
                         candidates={c: _text(sources[c]["content"]) for c in key},
                         judgments=judgments, given=min(given, len(prompt)),
                         last=key in ends)


def _user(prompt: Any) -> tuple[Message, ...]:
    if isinstance(prompt, Mapping) and isinstance(prompt.get("messages"), list):
        return _messages(prompt["messages"])
    return ({"role": "user", "content": _text(prompt)},)


_CHOICES: dict[str, Groups] = {"a": (("a",), ("b",)), "b": (("b",), ("a",)),
                               "tie": (("a", "b"),), "both_bad": (("a", "b"),)}


def compare_turns(task: Mapping[str, Any]) -> Iterator[JudgedTurn]:
    """The one judged turn of a ``compare`` task (module docstring)."""
    data = task.get("data") or {}
    judgments = tuple(Judgment(ranking=_CHOICES[a["choice"]],
                               strength=float(a.get("strength") or 1))
                      for a in _answers(task) if a.get("choice") in _CHOICES)
    if judgments and "prompt" in data:
        yield JudgedTurn(prompt=_user(data["prompt"]),
                         candidates={"a": _text(data["a"]), "b": _text(data["b"])},
                         judgments=judgments)


def rate_turns(task: Mapping[str, Any], params: Mapping[str, Any]) -> Iterator[JudgedTurn]:
    """The one judged turn of a ``rate`` task whose data holds a prompt and its reply."""
    data = task.get("data") or {}
    if "prompt" in data and "completion" in data:
        prompt, reply = _user(data["prompt"]), _text(data["completion"])
    elif (isinstance(data.get("messages"), list) and data["messages"]
          and data["messages"][-1].get("role") == "assistant"):
        *head, last = _messages(data["messages"])
        prompt, reply = tuple(head), last["content"]
    else:
        return
    low, high = float(params.get("min", 1)), float(params.get("max", 5))
    rubric = [{**c, "min": low, "max": high} for c in params.get("criteria") or []]
    judgments = []
    for answer in _answers(task):
        if "rating" in answer:
            value = float(answer["rating"])
            score = Score(value, (value - low) / (high - low))
        else:
            score = rubric_score(rubric, answer.get("scores") or {})
        judgments.append(Judgment(scores={"reply": score}))
    if judgments:
        yield JudgedTurn(prompt=prompt, candidates={"reply": reply},
                         judgments=tuple(judgments))
