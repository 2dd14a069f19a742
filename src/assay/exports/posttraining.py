"""The post-training compiler: a project's finished tasks → judged turns → the rows of one
format. One path for every format and every kind that holds preferences or scores (the
kinds that implement :meth:`assay.kinds.Kind.judged_turns`); see
:mod:`assay.exports.sources` for how tasks are read, :mod:`assay.exports.judged` for the
rules and :mod:`assay.exports.formats` for the shapes. Pure: task objects in, rows out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from assay.exports.formats import FORMAT_NAMES, FORMATS, Row
from assay.exports.judged import JudgedTurn, judge
from assay.exports.sources import Sources, read_turns
from assay.kinds import judged_kinds

#: The kinds whose tasks give post-training rows.
KINDS: tuple[str, ...] = judged_kinds()


def judged_turns(kind: str, params: Mapping[str, Any], tasks: Iterable[Mapping[str, Any]],
                 sources: Callable[[list[Mapping[str, Any]]], Sources] | None = None,
                 chunk: int = 200) -> Iterator[JudgedTurn]:
    """The judged turns of a project's completed tasks (task objects with their
    ``responses``), in task order. For a kind whose tasks talk to models, ``sources`` is
    called once per ``chunk`` tasks. Raises ``ValueError`` for a kind that gives no
    post-training rows."""
    if kind not in KINDS:
        raise ValueError(f"{kind} tasks give no post-training rows")
    done = (t for t in tasks if t.get("status") == "completed")
    return read_turns(kind, params, done, sources, chunk)


def compile_rows(fmt: str, turns: Iterable[JudgedTurn], min_share: float = 0.0
                 ) -> Iterator[Row]:
    """The rows of format ``fmt`` (one of :data:`FORMAT_NAMES`) for these turns; pairs
    whose share of the judgments is below ``min_share`` are left out."""
    rows_of = FORMATS[fmt]
    for turn in turns:
        yield from rows_of(judge(turn, min_share))


__all__ = ["FORMAT_NAMES", "KINDS", "compile_rows", "judged_turns"]
