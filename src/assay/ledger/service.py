"""Pay rules: an earning for every answer of a worker in good standing, reversals only for
spam and fraud, payouts that pay each entry exactly once.

Every amount is an integer of micro-units (see ``money.py``). The ledger is append-only:
nothing is updated but the ``payout_id`` that marks an entry paid.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.clock import isoformat, utcnow
from assay.db.models import LedgerEntry, Payout
from assay.errors import NotFound
from assay.ids import new_id
from assay.ledger import repository
from assay.money import to_micros, to_text
from assay.projects import service as projects
from assay.tasks.answers import has_answered

REVERSED_REASONS = ("spam", "fraud")


def record_earning(session: Session, project: Any, worker_id: str, response_id: str,
                   now: datetime, training: bool = False) -> None:
    """The earning for one answer (gold answers included: they look like any other); a
    training answer earns ``pay.training_per_task`` (0 unless the project sets it)."""
    rate = project.pay.get("training_per_task", "0") if training else project.pay.get(
        "per_task", "0")
    amount = to_micros(str(rate))
    if amount <= 0:
        return
    session.add(LedgerEntry(
        id=new_id("led"), org_id=project.org_id, project_id=project.id, worker_id=worker_id,
        kind="earning", amount_micros=amount, currency=project.pay.get("currency", "USD"),
        response_id=response_id, created_at=now))


def add_bonus(session: Session, project: Any, worker_id: str, amount: str,
              memo: str | None, idempotency_key: str | None, now: datetime) -> LedgerEntry:
    """A bonus for a worker who answered in the project. With an ``idempotency_key`` a
    retried request returns the entry it already made instead of paying twice."""
    if idempotency_key is not None:
        existing = repository.get_by_key(session, project.org_id, idempotency_key)
        if existing is not None:
            return existing
    micros = to_micros(amount)
    entry = LedgerEntry(
        id=new_id("led"), org_id=project.org_id, project_id=project.id, worker_id=worker_id,
        kind="bonus", amount_micros=micros, currency=project.pay.get("currency", "USD"),
        memo=memo, idempotency_key=idempotency_key, created_at=now)
    session.add(entry)
    session.flush()
    return entry


def grant_bonus(session: Session, who: Requester, project_id: str, worker_id: str,
                amount: str, memo: str | None, key: str | None) -> dict[str, Any]:
    """``POST /v1/projects/{id}/bonuses``: only for a worker who answered in the project.
    Keys are scoped to the organization."""
    project = projects.get_project(session, who, project_id)
    if not has_answered(session, project.org_id, worker_id, project.id):
        raise NotFound(f"worker {worker_id} has not answered in this project",
                       {"field": "worker_id"})
    scoped = f"{project.org_id}:{key}" if key is not None else None
    entry = add_bonus(session, project, worker_id, amount, memo, scoped, utcnow())
    return entry_object(entry)


def entry_object(entry: LedgerEntry) -> dict[str, Any]:
    return {"id": entry.id, "kind": entry.kind, "project": entry.project_id,
            "worker_id": entry.worker_id, "amount": to_text(entry.amount_micros),
            "currency": entry.currency, "memo": entry.memo,
            "created_at": isoformat(entry.created_at)}


def reverse_earnings(session: Session, org_id: str, project_id: str, worker_id: str,
                     reason: str, now: datetime) -> int:
    """Cancel every not yet reversed earning of the worker in the project; returns how many.
    One reversal per earning, whatever retries happen (``reverses_id`` is unique)."""
    earnings = repository.list_unreversed_earnings(session, org_id, project_id, worker_id)
    for entry in earnings:
        _reverse(session, entry, f"paused: {reason}", now)
    session.flush()
    return len(earnings)


def _reverse(session: Session, earning: LedgerEntry, memo: str, now: datetime) -> None:
    session.add(LedgerEntry(
        id=new_id("led"), org_id=earning.org_id, project_id=earning.project_id,
        worker_id=earning.worker_id, kind="reversal", amount_micros=-earning.amount_micros,
        currency=earning.currency, reverses_id=earning.id, memo=memo, created_at=now))


def reverse_answer(session: Session, org_id: str, response_id: str, memo: str,
                   now: datetime) -> bool:
    """Cancel the earning of one answer (a reviewer rejected it); False when it had none
    or it was already reversed."""
    earning = repository.get_earning(session, org_id, response_id)
    if earning is None or repository.is_reversed(session, org_id, earning.id):
        return False
    _reverse(session, earning, memo, now)
    session.flush()
    return True


def standing_money(session: Session, worker_id: str, project_id: str | None,
                   default_currency: str = "USD") -> dict[str, str]:
    """``earned`` (all entries) and ``balance`` (not yet paid out), as decimal strings."""
    earned = repository.sum_by_currency(session, worker_id, project_id)
    unpaid = repository.sum_by_currency(session, worker_id, project_id, unpaid_only=True)
    currency = max(earned, key=lambda c: abs(earned[c])) if earned else default_currency
    return {"earned": to_text(earned.get(currency, 0)),
            "balance": to_text(unpaid.get(currency, 0)), "currency": currency}


def earned_by_worker(session: Session, org_id: str, project_id: str) -> dict[str, str]:
    return {w: to_text(n) for w, n in
            repository.sum_by_worker(session, org_id, project_id).items()}


def create_payout(session: Session, until: datetime, now: datetime,
                  org_id: str | None = None) -> dict[str, Any]:
    """Pay every worker whose unpaid balance up to ``until`` is positive (in one
    organization, or, for an operator, in all). A balance that is zero or negative
    (reversals) stays unpaid and carries over."""
    payout = Payout(id=new_id("pay"), org_id=org_id, until=until, lines=0, created_at=now)
    session.add(payout)
    session.flush()
    lines = []
    for worker_id, currency, total in repository.unpaid_totals(session, until, org_id):
        if total <= 0:
            continue
        amounts = repository.claim_unpaid(session, payout.id, worker_id, currency, until,
                                          org_id)
        lines.append({"worker_id": worker_id, "currency": currency,
                      "amount": to_text(sum(amounts)), "entries": len(amounts)})
    payout.lines = len(lines)
    session.flush()
    return {"payout_id": payout.id, "until": isoformat(until),
            "created_at": isoformat(now), "lines": lines}


def payout_object(session: Session, payout: Payout) -> dict[str, Any]:
    """An organization's payout, with its lines."""
    assert payout.org_id is not None
    rows = repository.payout_lines(session, payout.org_id, payout.id)
    lines = [{"worker_id": w, "currency": c, "amount": to_text(n), "entries": k}
             for w, c, n, k in rows]
    totals: dict[str, int] = {}
    for _, c, n, _ in rows:
        totals[c] = totals.get(c, 0) + n
    return {"id": payout.id, "until": isoformat(payout.until),
            "created_at": isoformat(payout.created_at), "lines": lines,
            "totals": {c: to_text(n) for c, n in sorted(totals.items())}}


def pay_organization(session: Session, who: Requester, until: datetime | None
                     ) -> dict[str, Any]:
    """``POST /v1/payouts``: pay the organization's workers up to ``until`` (at most now)."""
    now = utcnow()
    cutoff = now if until is None or until > now else until
    batch = create_payout(session, cutoff, now, who.org_id)
    return get_payout(session, who, batch["payout_id"])


def get_payout(session: Session, who: Requester, payout_id: str) -> dict[str, Any]:
    payout = repository.get_payout(session, who.org_id, payout_id)
    if payout is None:
        raise NotFound(f"payout {payout_id} does not exist")
    return payout_object(session, payout)


def list_payouts(session: Session, who: Requester, after: str | None,
                 limit: int) -> tuple[list[dict[str, Any]], list[str]]:
    rows = repository.list_payouts(session, who.org_id, after, limit)
    return [payout_object(session, p) for p in rows], [p.id for p in rows]


def project_cost(session: Session, who: Requester, project_id: str) -> dict[str, Any]:
    """What a project has cost, per currency: earnings, bonuses, reversals, and how much
    of the total is paid out."""
    project = projects.get_project(session, who, project_id)
    by_currency: dict[str, dict[str, int]] = {}
    for currency, kind, paid, total, entries in repository.project_sums(
            session, project.org_id, project.id):
        sums = by_currency.setdefault(currency, {
            "earning": 0, "bonus": 0, "reversal": 0, "paid": 0, "answers_paid": 0})
        sums[kind] = sums.get(kind, 0) + total
        if paid:
            sums["paid"] += total
        if kind == "earning":
            sums["answers_paid"] += entries
    docs = []
    for currency, sums in sorted(by_currency.items()):
        total = sums["earning"] + sums["bonus"] + sums["reversal"]
        docs.append({"currency": currency, "earnings": to_text(sums["earning"]),
                     "bonuses": to_text(sums["bonus"]), "reversals": to_text(sums["reversal"]),
                     "total": to_text(total), "paid": to_text(sums["paid"]),
                     "unpaid": to_text(total - sums["paid"]),
                     "answers_paid": sums["answers_paid"]})
    return {"project": project.id, "docs": docs}


def write_payout_files(batch: dict[str, Any], folder: str) -> tuple[str, str]:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / f"{batch['payout_id']}.json"
    csv_path = out / f"{batch['payout_id']}.csv"
    json_path.write_text(json.dumps(batch, indent=2) + "\n")
    with csv_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["payout_id", "worker_id", "currency", "amount", "entries"])
        for line in batch["lines"]:
            writer.writerow([batch["payout_id"], line["worker_id"], line["currency"],
                             line["amount"], line["entries"]])
    return str(csv_path), str(json_path)
