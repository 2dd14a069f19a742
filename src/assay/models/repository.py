"""Queries of model endpoints and their call records, always scoped to an organization."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.db.models import ModelCall, ModelEndpoint


def get_model(session: Session, org_id: str, model_id: str, *,
              for_update: bool = False) -> ModelEndpoint | None:
    stmt = select(ModelEndpoint).where(ModelEndpoint.id == model_id,
                                       ModelEndpoint.org_id == org_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def get_model_by_name(session: Session, org_id: str, name: str) -> ModelEndpoint | None:
    return session.scalars(select(ModelEndpoint).where(ModelEndpoint.org_id == org_id,
                                                       ModelEndpoint.name == name)).first()


def list_models(session: Session, org_id: str, after: str | None,
                limit: int) -> list[ModelEndpoint]:
    stmt = select(ModelEndpoint).where(ModelEndpoint.org_id == org_id)
    if after:
        stmt = stmt.where(ModelEndpoint.id > after)
    return list(session.scalars(stmt.order_by(ModelEndpoint.id).limit(limit)))


def _calls(org_id: str, model_id: str, project_id: str | None) -> list[Any]:
    where = [ModelCall.org_id == org_id, ModelCall.model_id == model_id]
    if project_id is not None:
        where.append(ModelCall.project_id == project_id)
    return where


def summarize_calls(session: Session, org_id: str, model_id: str,
                    project_id: str | None) -> dict[str, Any]:
    """Counts and sums of the model's calls (in one project, when given)."""
    row = session.execute(
        select(func.count(),
               func.coalesce(func.sum(ModelCall.prompt_tokens), 0),
               func.coalesce(func.sum(ModelCall.completion_tokens), 0),
               func.count().filter(ModelCall.status == "error"),
               func.count().filter(ModelCall.status == "timeout"),
               func.count().filter(ModelCall.tokens_estimated.is_(True)))
        .where(*_calls(org_id, model_id, project_id))
    ).one()
    costs = {currency: int(total or 0) for currency, total in session.execute(
        select(ModelCall.currency, func.sum(ModelCall.cost_pico))
        .where(*_calls(org_id, model_id, project_id), ModelCall.cost_pico.is_not(None))
        .group_by(ModelCall.currency))}
    return {"calls": row[0], "prompt_tokens": int(row[1]), "completion_tokens": int(row[2]),
            "errors": row[3], "timeouts": row[4], "estimated_calls": row[5],
            "cost_pico": costs}


def list_latencies(session: Session, org_id: str, model_id: str, project_id: str | None,
                   limit: int = 100_000) -> list[int]:
    """Latencies of the model's most recent successful calls, up to ``limit``."""
    return list(session.scalars(
        select(ModelCall.latency_ms)
        .where(*_calls(org_id, model_id, project_id), ModelCall.status == "ok")
        .order_by(ModelCall.id.desc()).limit(limit)))


def summarize_project_calls(session: Session, org_id: str,
                            project_id: str) -> list[tuple[str | None, int, int, int, int, int]]:
    """Per currency (None for unpriced models): calls, failed calls, prompt and completion
    tokens, and cost in 1e-12 of the currency, of every model's calls for one project (or
    evaluation)."""
    rows = session.execute(
        select(ModelCall.currency, func.count(),
               func.count().filter(ModelCall.status != "ok"),
               func.coalesce(func.sum(ModelCall.prompt_tokens), 0),
               func.coalesce(func.sum(ModelCall.completion_tokens), 0),
               func.coalesce(func.sum(ModelCall.cost_pico), 0))
        .where(ModelCall.org_id == org_id, ModelCall.project_id == project_id)
        .group_by(ModelCall.currency)).all()
    return [(r[0], int(r[1]), int(r[2] or 0), int(r[3] or 0), int(r[4] or 0), int(r[5] or 0))
            for r in rows]
