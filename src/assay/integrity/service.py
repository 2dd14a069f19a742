"""Integrity signals, computed by the server and never set or cleared by a client.

- ``too_fast``: an answer submitted in less than the project's
  ``limits.min_seconds_per_task`` (the time is the server's: lease to submit).
- ``collusion``: two workers who share at least ``PAIR_MIN_SHARED`` tasks, give the same
  answer on at least ``PAIR_MIN_AGREEMENT`` of them, and gave the same *wrong* answer to
  at least ``PAIR_MIN_SHARED_WRONG_GOLD`` gold tasks — honest, accurate workers agree a lot
  but rarely err together. Checked by the background refit.

Flags are visible to the organization (``GET /v1/projects/{id}/flags`` and a count per
worker in ``/workers``); they pause nobody by themselves.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from itertools import combinations
from typing import Any

from sqlalchemy.orm import Session

from assay.clock import isoformat
from assay.db.models import Flag
from assay.ids import new_id
from assay.integrity import repository

PAIR_MIN_SHARED = 10
PAIR_MIN_AGREEMENT = 0.95
PAIR_MIN_SHARED_WRONG_GOLD = 2
MAX_ANSWERS_PER_TASK = 60  # larger groups (popular gold) are sampled by their first answers


def flag_fast_answer(session: Session, project: Any, worker_id: str, response_id: str,
                     duration_ms: int, now: datetime) -> None:
    floor = (project.limits or {}).get("min_seconds_per_task")
    if not floor or duration_ms >= float(floor) * 1000:
        return
    session.add(Flag(id=new_id("flg"), org_id=project.org_id, project_id=project.id,
                     worker_id=worker_id, kind="too_fast", response_id=response_id,
                     detail={"duration_ms": duration_ms, "floor_ms": int(float(floor) * 1000)},
                     created_at=now))


def _key(answer: Any) -> str:
    return json.dumps(answer, sort_keys=True)


def suspicious_pairs(session: Session, org_id: str,
                     project_id: str) -> dict[tuple[str, str], Any]:
    """Pairs of workers (sorted ids) who agree too often and share wrong gold answers, with
    the figures behind it; a read, so it can run on a snapshot."""
    rows = repository.list_answers_for_pairs(session, org_id, project_id)
    by_task: dict[str, list[tuple[str, str]]] = defaultdict(list)
    # Gold answers judged wrong when they were checked (by the same matching rule as the
    # worker's accuracy: a near miss that counted as right is not "wrong" here).
    wrong_gold: set[tuple[str, str]] = set()
    for task_id, worker_id, answer, purpose, correct in rows:
        if len(by_task[task_id]) < MAX_ANSWERS_PER_TASK:
            by_task[task_id].append((worker_id, _key(answer)))
        if purpose == "gold" and correct is False:
            wrong_gold.add((task_id, worker_id))
    shared: dict[tuple[str, str], int] = defaultdict(int)
    same: dict[tuple[str, str], int] = defaultdict(int)
    wrong_together: dict[tuple[str, str], int] = defaultdict(int)
    for task_id, answers in by_task.items():
        for (w1, a1), (w2, a2) in combinations(sorted(answers), 2):
            pair = (w1, w2)
            shared[pair] += 1
            if a1 == a2:
                same[pair] += 1
                if (task_id, w1) in wrong_gold:  # identical answers: both wrong
                    wrong_together[pair] += 1
    return {pair: {"shared_tasks": n, "agreement": round(same[pair] / n, 4),
                   "same_wrong_gold": wrong_together[pair]}
            for pair, n in shared.items()
            if (n >= PAIR_MIN_SHARED and same[pair] / n >= PAIR_MIN_AGREEMENT
                and wrong_together[pair] >= PAIR_MIN_SHARED_WRONG_GOLD)}


def flag_pairs(session: Session, project: Any, pairs: dict[tuple[str, str], Any],
               now: datetime) -> int:
    """Flag each pair (both ways) not flagged before; returns how many pairs were new."""
    if not pairs:
        return 0
    existing = repository.list_collusion_pairs(session, project.org_id, project.id)
    flagged = 0
    for pair, detail in pairs.items():
        for worker, other in (pair, pair[::-1]):
            if (worker, other) in existing:
                continue
            session.add(Flag(id=new_id("flg"), org_id=project.org_id, project_id=project.id,
                             worker_id=worker, other_worker_id=other, kind="collusion",
                             detail=detail, created_at=now))
            flagged += 1
    session.flush()
    return flagged // 2


def count_by_worker(session: Session, org_id: str, project_id: str) -> dict[str, int]:
    return repository.count_flags_by_worker(session, org_id, project_id)


def list_flags(session: Session, org_id: str | None, project_id: str,
               after: str | None = None, limit: int | None = None) -> list[Flag]:
    """The project's flags by id; ``org_id`` None (the operator) reads any
    organization's."""
    return repository.list_flags(session, org_id, project_id, after, limit)


def worker_flags(session: Session, worker_id: str, project_id: str) -> list[Flag]:
    """The flags raised on the worker in the project (the worker's own view)."""
    return repository.list_worker_flags(session, worker_id, project_id)


def flags_by_answer(session: Session, org_id: str, project_id: str,
                    answers: list[Any]) -> dict[str, list[str]]:
    """The integrity flags behind each answer (rows with ``id`` and ``worker_id``): on the
    answer itself (``too_fast``) or on its worker in this project (``collusion``)."""
    by_answer: dict[str, set[str]] = {r.id: set() for r in answers}
    rows = repository.list_flags_of_workers(session, org_id, project_id,
                                            {r.worker_id for r in answers})
    for kind, response_id, worker_id in rows:
        for r in answers:
            if r.id == response_id or (response_id is None and r.worker_id == worker_id):
                by_answer[r.id].add(kind)
    return {k: sorted(v) for k, v in by_answer.items()}


def flag_object(flag: Flag) -> dict[str, Any]:
    return {"id": flag.id, "project": flag.project_id, "worker_id": flag.worker_id,
            "kind": flag.kind, "other_worker_id": flag.other_worker_id,
            "response_id": flag.response_id, "detail": flag.detail,
            "created_at": isoformat(flag.created_at)}
