"""Why a worker stands where they stand in a project: the worker's own, complete view.

``GET /v1/work/standing?project=ID`` answers with the status and pause reason, the accuracy
estimate with its interval and the evidence behind it (answers to gold tasks the requester
has retired, with the expected answer; reviewers' verdicts and comments), the integrity
flags the server raised, earnings, and the record of every pause, appeal and decision.
Gold tasks still in use are counted but not shown: showing them would reveal the checks;
and gold checks enter these figures only in batches (``disclosure.py``).
Nothing here names another worker.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import WorkerPrincipal, get_worker
from assay.algorithms.reliability import accuracy_posterior
from assay.clock import isoformat
from assay.db.models import Flag
from assay.errors import NotFound
from assay.integrity import service as integrity
from assay.ledger import service as ledger
from assay.projects.service import get_project_for_worker
from assay.quality import appeals, disclosure, repository
from assay.quality.service import checks
from assay.tasks.answers import count_worker_answers

EVIDENCE_LIMIT = 100
# What a worker may read of a flag's detail: never another worker's id.
VISIBLE_DETAIL = ("duration_ms", "floor_ms", "shared_tasks", "agreement", "same_wrong_gold")


def _flag(flag: Flag) -> dict[str, Any]:
    return {"kind": flag.kind, "created_at": isoformat(flag.created_at),
            "detail": {k: v for k, v in (flag.detail or {}).items() if k in VISIBLE_DETAIL}}


def _accuracy(standing: Any, bar: float) -> dict[str, Any]:
    gold_n, gold_ok = disclosure.shown_gold(standing)
    rev_n, rev_ok = (standing.review_answers, standing.review_correct) if standing else (0, 0)
    right, total = disclosure.disclosed_record(standing)
    estimate = accuracy_posterior(right, total, bar) if total else None
    counted = checks(standing) if standing else (0, 0)
    return {
        "bar": bar,
        "estimate": estimate.mean if estimate else None,
        "low": estimate.low if estimate else None,
        "high": estimate.high if estimate else None,
        "gold_answers": gold_n, "gold_correct": gold_ok,
        "review_answers": rev_n, "review_correct": rev_ok,
        "counted_answers": counted[1], "counted_correct": counted[0],
    }


def _gold_evidence(session: Session, project_id: str, worker_id: str,
                   standing: Any) -> dict[str, Any]:
    """Answers to retired gold, shown in full; disclosed checks on gold still in use, only
    counted. Checks are disclosed oldest first, and the rows come newest first."""
    rows = repository.list_gold_evidence(session, worker_id, project_id)
    shown = [{"gold_id": tid, "data": data, "expected": expected, "answer": answer,
              "correct": bool(correct), "answered_at": isoformat(at)}
             for tid, data, expected, status, answer, correct, at in rows
             if status == "retired"]
    disclosed = rows[max(0, len(rows) - disclosure.shown_gold(standing)[0]):]
    hidden = sum(1 for row in disclosed if row[3] != "retired")
    return {"retired": shown[:EVIDENCE_LIMIT], "hidden": hidden}


def _reviews(session: Session, project_id: str, worker_id: str) -> list[dict[str, Any]]:
    rows = repository.list_reviewed_answers(session, worker_id, project_id, EVIDENCE_LIMIT)
    return [{"answer_id": r.id, "answer": r.answer, "verdict": r.review_verdict,
             "comment": r.review_comment, "answered_at": isoformat(r.created_at)}
            for r in rows]


def worker_standing_detail(session: Session, who: WorkerPrincipal,
                           project_id: str) -> dict[str, Any]:
    worker = get_worker(session, who.worker_id)
    project = get_project_for_worker(session, worker.org_id, project_id, worker.id)
    if project is None:
        raise NotFound(f"project {project_id} does not exist")
    standing = repository.get_standing(session, project_id, worker.id)
    bar = float(project.quality.get("min_worker_accuracy", 0.0))
    flags = integrity.worker_flags(session, worker.id, project_id)
    events = repository.list_worker_events(session, worker.id, project_id)
    appeal = repository.get_worker_appeal(session, worker.id, project_id)
    status = standing.status if standing else "active"
    is_reviewer = repository.is_reviewer(session, worker.id, project_id)
    answers = count_worker_answers(session, worker.id, project_id)
    return {
        "worker_id": worker.id,
        "project": project_id,
        "status": status,
        "pause_reason": standing.pause_reason if standing else None,
        "paused_at": isoformat(standing.paused_at) if standing and status == "paused" else None,
        "answers": answers,
        "accuracy": _accuracy(standing, bar),
        "reviewer": {
            "active": is_reviewer,
            "reviews_checked": standing.reviews_checked if standing else 0,
            "reviews_upheld": standing.reviews_upheld if standing else 0,
        },
        "evidence": {"gold": _gold_evidence(session, project_id, worker.id, standing),
                     "reviews": _reviews(session, project_id, worker.id)},
        "flags": [_flag(f) for f in flags],
        **ledger.standing_money(session, worker.id, project_id,
                                project.pay.get("currency", "USD")),
        "history": [{"kind": e.kind, "reason": e.reason, "note": e.note,
                     "at": isoformat(e.created_at)} for e in events],
        "appeal": appeals.appeal_object(appeal) if appeal else None,
        "can_appeal": status == "paused" and appeal is None,
    }
