"""Ledger queries, scoped to the organization (a worker's own sums to the worker). Sums are
done by the database, on integers: exact."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from assay.db.models import LedgerEntry, Payout

L = LedgerEntry


def sum_by_currency(session: Session, worker_id: str, project_id: str | None = None,
                    unpaid_only: bool = False) -> dict[str, int]:
    stmt = select(L.currency, func.sum(L.amount_micros)).where(L.worker_id == worker_id)
    if project_id is not None:
        stmt = stmt.where(L.project_id == project_id)
    if unpaid_only:
        stmt = stmt.where(L.payout_id.is_(None))
    return {c: int(n or 0) for c, n in session.execute(stmt.group_by(L.currency))}


def sum_by_worker(session: Session, org_id: str, project_id: str) -> dict[str, int]:
    return {w: int(n or 0) for w, n in session.execute(
        select(L.worker_id, func.sum(L.amount_micros))
        .where(L.org_id == org_id, L.project_id == project_id)
        .group_by(L.worker_id))}


def list_unreversed_earnings(session: Session, org_id: str, project_id: str,
                             worker_id: str) -> list[LedgerEntry]:
    reversal = aliased(L)
    return list(session.scalars(
        select(L).outerjoin(reversal, reversal.reverses_id == L.id)
        .where(L.org_id == org_id, L.project_id == project_id, L.worker_id == worker_id,
               L.kind == "earning", reversal.id.is_(None))
        .order_by(L.id)))


def _unpaid(until: datetime, org_id: str | None) -> list[Any]:
    conditions = [L.payout_id.is_(None), L.created_at < until]
    if org_id is not None:
        conditions.append(L.org_id == org_id)
    return conditions


def unpaid_totals(session: Session, until: datetime,
                  org_id: str | None) -> list[tuple[str, str, int]]:
    """(worker, currency, total) of the unpaid entries before ``until``, in one
    organization (``org_id`` None: every organization, the operator's payout)."""
    return [(w, c, int(n)) for w, c, n in session.execute(
        select(L.worker_id, L.currency, func.sum(L.amount_micros))
        .where(*_unpaid(until, org_id))
        .group_by(L.worker_id, L.currency).order_by(L.worker_id, L.currency))]


def claim_unpaid(session: Session, payout_id: str, worker_id: str, currency: str,
                 until: datetime, org_id: str | None) -> list[int]:
    """Mark the worker's unpaid entries as paid by this payout; returns their amounts.
    The conditional UPDATE claims each entry for exactly one payout."""
    return [int(a) for a in session.scalars(
        update(L).where(*_unpaid(until, org_id), L.worker_id == worker_id,
                        L.currency == currency)
        .values(payout_id=payout_id).returning(L.amount_micros),
        execution_options={"synchronize_session": False})]


def payout_lines(session: Session, org_id: str,
                 payout_id: str) -> list[tuple[str, str, int, int]]:
    """(worker, currency, total, entries) of an organization's payout, from the entries it
    claimed."""
    return [(w, c, int(n), int(k)) for w, c, n, k in session.execute(
        select(L.worker_id, L.currency, func.sum(L.amount_micros), func.count())
        .where(L.org_id == org_id, L.payout_id == payout_id)
        .group_by(L.worker_id, L.currency).order_by(L.worker_id, L.currency))]


def project_sums(session: Session, org_id: str,
                 project_id: str) -> list[tuple[str, str, bool, int, int]]:
    """(currency, kind, paid, total, entries) over the project's ledger."""
    paid = L.payout_id.is_not(None)
    return [(c, k, bool(p), int(n), int(m)) for c, k, p, n, m in session.execute(
        select(L.currency, L.kind, paid, func.sum(L.amount_micros), func.count())
        .where(L.org_id == org_id, L.project_id == project_id)
        .group_by(L.currency, L.kind, paid))]


def get_earning(session: Session, org_id: str, response_id: str) -> LedgerEntry | None:
    return session.scalars(select(L).where(L.org_id == org_id, L.response_id == response_id,
                                           L.kind == "earning")).first()


def is_reversed(session: Session, org_id: str, entry_id: str) -> bool:
    return session.scalar(select(L.id).where(L.org_id == org_id,
                                             L.reverses_id == entry_id)) is not None


def get_by_key(session: Session, org_id: str, key: str) -> LedgerEntry | None:
    return session.scalars(select(L).where(L.org_id == org_id,
                                           L.idempotency_key == key)).first()


def get_payout(session: Session, org_id: str, payout_id: str) -> Payout | None:
    """One of the organization's payouts (an operator's payout belongs to none)."""
    return session.scalars(select(Payout).where(Payout.id == payout_id,
                                                Payout.org_id == org_id)).first()


def list_payouts(session: Session, org_id: str, after: str | None,
                 limit: int) -> list[Payout]:
    stmt = select(Payout).where(Payout.org_id == org_id)
    if after:
        stmt = stmt.where(Payout.id > after)
    return list(session.scalars(stmt.order_by(Payout.id).limit(limit)))
