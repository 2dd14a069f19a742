"""The post-training compiler: a project's finished tasks → judged turns → the rows of one
format. One path for every format and every kind that holds preferences or scores
(``chat``, ``compare``, ``rate``); see :mod:`assay.exports.judged` for the rules and
:mod:`assay.exports.formats` for the shapes. Pure: task objects in, rows out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from assay.exports.formats import FORMAT_NAMES, FORMATS, Row
from assay.exports.judged import JudgedTurn, judge
from assay.exports.sources import chat_turns, compare_turns, rate_turns

#: The kinds whose tasks give post-training rows.
KINDS: tuple[str, ...] = ("chat", "compare", "rate")

#: Candidate id → ``{"content", "messages", …}`` for a chunk of ``chat`` tasks.
Sources = Mapping[str, Mapping[str, Any]]


def judged_turns(kind: str, params: Mapping[str, Any], tasks: Iterable[Mapping[str, Any]],
                 sources: Callable[[list[Mapping[str, Any]]], Sources] | None = None,
                 chunk: int = 200) -> Iterator[JudgedTurn]:
    """The judged turns of a project's completed tasks (task objects with their
    ``responses``), in task order. ``sources`` is called once per ``chunk`` chat tasks."""
    done = (t for t in tasks if t.get("status") == "completed")
    if kind == "chat":
        batch: list[Mapping[str, Any]] = []
        for task in done:
            batch.append(task)
            if len(batch) >= chunk:
                yield from _chat_batch(params, batch, sources)
                batch = []
        yield from _chat_batch(params, batch, sources)
    elif kind == "compare":
        for task in done:
            yield from compare_turns(task)
    elif kind == "rate":
        for task in done:
            yield from rate_turns(task, params)
    else:
        raise ValueError(f"{kind} tasks give no post-training rows")


def _chat_batch(params: Mapping[str, Any], batch: list[Mapping[str, Any]],
                sources: Callable[[list[Mapping[str, Any]]], Sources] | None
                ) -> Iterator[JudgedTurn]:
    if not batch:
        return
    found = sources(batch) if sources is not None else {}
    for task in batch:
        yield from chat_turns(task, params, found)


def compile_rows(fmt: str, turns: Iterable[JudgedTurn], min_share: float = 0.0
                 ) -> Iterator[Row]:
    """The rows of format ``fmt`` (one of :data:`FORMAT_NAMES`) for these turns; pairs
    whose share of the judgments is below ``min_share`` are left out."""
    rows_of = FORMATS[fmt]
    for turn in turns:
        yield from rows_of(judge(turn, min_share))


__all__ = ["FORMAT_NAMES", "KINDS", "compile_rows", "judged_turns"]
