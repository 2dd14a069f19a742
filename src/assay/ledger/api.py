"""HTTP routes of pay: bonuses, payouts, a project's cost."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.exc import IntegrityError

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.db.engine import Database
from assay.http.auth import get_db, require_member, require_requester
from assay.http.documents import BonusDoc, CostDoc, PayoutDoc, PayoutPage, doc
from assay.http.pagination import check_limit, decode_token, page
from assay.ledger import service
from assay.money import check_amount

router = APIRouter(tags=["pay"])


class BonusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    worker_id: str
    amount: str
    memo: str | None = Field(default=None, max_length=2000)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: str) -> str:
        return check_amount(value, positive=True)


@router.post("/v1/projects/{project_id}/bonuses", status_code=201, response_model=None,
             responses=doc(BonusDoc, 201))
def add_bonus(project_id: str, body: BonusIn, who: Requester = Depends(require_member),
              db: Database = Depends(get_db)) -> dict[str, Any]:
    try:
        return db.write(lambda s: auditlog.noted(s, who, "bonus.create", service.grant_bonus(
            s, who, project_id, body.worker_id, body.amount, body.memo,
            body.idempotency_key), project_id))
    except IntegrityError:  # the same key raced itself: the winner's entry is the answer
        return db.write(lambda s: service.grant_bonus(s, who, project_id, body.worker_id,
                                                      body.amount, body.memo,
                                                      body.idempotency_key))


class PayoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    until: AwareDatetime | None = Field(
        default=None, description="pay entries earned before this instant (default: now)")


@router.post("/v1/payouts", status_code=201, response_model=None,
             responses=doc(PayoutDoc, 201))
def create_payout(body: PayoutIn, who: Requester = Depends(require_member),
                  db: Database = Depends(get_db)) -> dict[str, Any]:
    """Pay the organization's workers every unpaid balance earned before ``until``, once."""
    return db.write(lambda s: auditlog.noted(s, who, "payout.create",
                                             service.pay_organization(s, who, body.until)))


@router.get("/v1/payouts", response_model=None, responses=doc(PayoutPage))
def list_payouts(limit: int = Query(100), next_token: str | None = None,
                 who: Requester = Depends(require_requester),
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    limit = check_limit(limit)
    after = decode_token(next_token)
    with db.read() as session:
        docs, ids = service.list_payouts(session, who, after, limit + 1)
    return page(docs, ids, limit)


@router.get("/v1/payouts/{payout_id}", response_model=None, responses=doc(PayoutDoc))
def get_payout(payout_id: str, who: Requester = Depends(require_requester),
               db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as session:
        return service.get_payout(session, who, payout_id)


@router.get("/v1/projects/{project_id}/cost", response_model=None, responses=doc(CostDoc))
def project_cost(project_id: str, who: Requester = Depends(require_requester),
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    """What the project has cost so far, per currency, and how much is paid out."""
    with db.read() as session:
        return service.project_cost(session, who, project_id)
