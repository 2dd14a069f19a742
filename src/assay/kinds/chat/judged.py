"""``chat`` tasks as post-training data and as generated items people check.

- Judged turns: every turn of every counted answer, grouped by its set of candidates — a
  turn that every worker of the task shared (the same candidates) is one judged turn with
  one judgment per worker; a worker's own later turns are judged by that worker alone. A
  turn is *last* (an ``sft`` row) when some worker's conversation ended there. The
  candidates' texts and the messages each turn answered come from ``sources`` (candidate id
  → ``{"content", "messages", …}``, as the conversations service gives them). A turn that
  two or more workers ranked carries the task's own aggregation: the Bradley-Terry fit of
  its rankings (:func:`assay.algorithms.rankings.bradley_terry_rankings`, as the result's
  order and confidence), whose probability that one reply beats another orders each pair.
  When a reviewer fixed the task (its result's ``method`` is ``review``), each turn of the
  fix is that turn's only judgment: the corrected ranking, scores and ideal reply replace
  the workers'.
- A generated item: ``{"messages": [user prompt], "candidates"?: [the model's reply]}``;
  people rank, score and rewrite the reply.
- A check of it: a written ideal reply edits the model's reply; otherwise rubric scores
  whose mean lies below the middle of their scales reject it; otherwise it is accepted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from assay.algorithms.judged_turns import (
    JudgedTurn,
    Judgment,
    counted_answers,
    groups_from_entered,
    messages_of,
    rubric_score,
    rubric_unit,
    text_of,
)
from assay.algorithms.text import levenshtein_similarity


def chat_turns(task: Mapping[str, Any], params: Mapping[str, Any],
               sources: Mapping[str, Mapping[str, Any]]) -> Iterator[JudgedTurn]:
    """The judged turns of one ``chat`` task (module docstring)."""
    rubric = params.get("rubric") or []
    given = len((task.get("data") or {}).get("messages") or [])
    by_key: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    ends: set[tuple[str, ...]] = set()
    for answer in counted_answers(task):
        turns = answer.get("turns") or []
        for turn in turns:
            by_key.setdefault(tuple(turn["candidates"]), []).append(turn)
        if turns:
            ends.add(tuple(turns[-1]["candidates"]))
    fixed = reviewed_turns(task)
    for turn in fixed:
        by_key[tuple(turn["candidates"])] = [turn]
    if fixed:
        ends.add(tuple(fixed[-1]["candidates"]))
    for key, turns in by_key.items():
        prompt = messages_of(sources[key[0]].get("messages") or [])
        judgments = tuple(
            Judgment(ranking=groups_from_entered(t.get("ranking"), key),
                     scores={c: rubric_score(rubric, s)
                             for c, s in (t.get("scores") or {}).items()},
                     ideal=t.get("ideal"))
            for t in turns)
        yield JudgedTurn(prompt=prompt,
                         candidates={c: text_of(sources[c]["content"]) for c in key},
                         judgments=judgments, given=min(given, len(prompt)),
                         last=key in ends, preferences=fitted_preferences(judgments, key))


def reviewed_turns(task: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The turns of a reviewer's fix, when the task's result is one (``method:
    "review"``): each stands alone for its turn, in place of the workers' judgments."""
    result = task.get("result") or {}
    answer = result.get("answer") if result.get("method") == "review" else None
    turns = answer.get("turns") if isinstance(answer, Mapping) else None
    return [t for t in turns or [] if isinstance(t, Mapping) and t.get("candidates")]


def fitted_preferences(judgments: Sequence[Judgment], candidates: Sequence[str]
                       ) -> dict[tuple[str, str], float] | None:
    """For a turn two or more judgments ranked: the probability that each candidate beats
    each other one under the Bradley-Terry fit of the rankings, the fit that gives the
    task's result (a candidate a ranking leaves out counts as ranked last, as there);
    otherwise None."""
    rankings = [j.ranking for j in judgments if j.ranking]
    if len(rankings) < 2 or len(candidates) < 2:
        return None
    from assay.algorithms.rankings import positions_from_groups

    rows = sorted(tuple(positions_from_groups(r, candidates).tolist()) for r in rankings)
    probs = _fitted(tuple(rows))
    return {(a, b): probs[i][j] for i, a in enumerate(candidates)
            for j, b in enumerate(candidates) if i != j}


@lru_cache(maxsize=4096)
def _fitted(rows: tuple[tuple[float, ...], ...]) -> tuple[tuple[float, ...], ...]:
    """The pair probabilities of one set of rank positions. The fit reads only how often
    each item beat each other one, so the rows' order does not matter and an export fits
    each pattern of rankings once, however many turns share it."""
    from assay.algorithms.rankings import bradley_terry_rankings, pair_probabilities

    probs = pair_probabilities(bradley_terry_rankings([list(row) for row in rows]))
    return tuple(tuple(float(p) for p in row) for row in probs)


def synthetic_data(prompt: str, reply: str | None, model_name: str) -> dict[str, Any]:
    """A generated prompt (and reply) as a ``chat`` task's data (module docstring)."""
    data: dict[str, Any] = {"messages": [{"role": "user", "content": prompt}]}
    if reply is not None:
        data["candidates"] = [{"model": model_name, "content": reply}]
    return data


def synthetic_check(params: Mapping[str, Any], data: Mapping[str, Any],
                    answer: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """One check of a generated ``chat`` item (module docstring)."""
    given = data.get("candidates") or []
    turns = answer.get("turns") or []
    if not given or not turns:
        return None, None
    turn = turns[0]
    if turn.get("ideal"):
        return "edited", levenshtein_similarity(str(given[0]["content"]), turn["ideal"])
    units = [u for s in (turn.get("scores") or {}).values()
             if (u := rubric_unit(params.get("rubric") or [], s)) is not None]
    if units and sum(units) / len(units) < 0.5:
        return "rejected", None
    return "accepted", None
