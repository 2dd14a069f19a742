"""HTTP routes of pay: bonuses."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.exc import IntegrityError

from assay.accounts.service import Requester
from assay.db.engine import Database
from assay.http.auth import get_db, require_requester
from assay.http.documents import BonusDoc, doc
from assay.ledger import service
from assay.ledger.money import check_amount

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
def add_bonus(project_id: str, body: BonusIn, who: Requester = Depends(require_requester),
              db: Database = Depends(get_db)) -> dict[str, Any]:
    try:
        return db.write(lambda s: service.grant_bonus(s, who, project_id, body.worker_id,
                                                      body.amount, body.memo,
                                                      body.idempotency_key))
    except IntegrityError:  # the same key raced itself: the winner's entry is the answer
        return db.write(lambda s: service.grant_bonus(s, who, project_id, body.worker_id,
                                                      body.amount, body.memo,
                                                      body.idempotency_key))
