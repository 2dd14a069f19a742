"""Judged turns from task objects: each kind reads its own tasks
(:meth:`assay.kinds.Kind.judged_turns`; the rules are written down beside each kind), and
this module feeds them. A kind whose tasks talk to models reads its candidates' texts and
the messages each turn answered from ``sources`` (candidate id → ``{"content",
"messages", …}``, as the conversations service gives them), fetched once per chunk of
tasks; the others read their task data alone. Pure: task objects in, turns out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from assay.algorithms.judged_turns import JudgedTurn
from assay.kinds import converses, get_kind

__all__ = ["Sources", "read_turns"]

#: Candidate id → ``{"content", "messages", …}`` for a chunk of tasks that talk to models.
Sources = Mapping[str, Mapping[str, Any]]


def read_turns(kind: str, params: Mapping[str, Any], tasks: Iterable[Mapping[str, Any]],
               sources: Callable[[list[Mapping[str, Any]]], Sources] | None = None,
               chunk: int = 200) -> Iterator[JudgedTurn]:
    """The judged turns of these tasks of ``kind``, in task order (module docstring)."""
    read = get_kind(kind).judged_turns
    if not converses(kind):
        for task in tasks:
            yield from read(params, task, {})
        return
    batch: list[Mapping[str, Any]] = []
    for task in tasks:
        batch.append(task)
        if len(batch) >= chunk:
            yield from _read_batch(read, params, batch, sources)
            batch = []
    yield from _read_batch(read, params, batch, sources)


def _read_batch(read: Callable[[Mapping[str, Any], Mapping[str, Any], Sources],
                               Iterable[JudgedTurn]],
                params: Mapping[str, Any], batch: list[Mapping[str, Any]],
                sources: Callable[[list[Mapping[str, Any]]], Sources] | None
                ) -> Iterator[JudgedTurn]:
    if not batch:
        return
    found = sources(batch) if sources is not None else {}
    for task in batch:
        yield from read(params, task, found)
