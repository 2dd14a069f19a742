"""Queries of evaluations, their replies and battles, always scoped to an organization."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.db.models import Evaluation, EvaluationBattle, EvaluationReply


def get_evaluation(session: Session, org_id: str, evaluation_id: str, *,
                   for_update: bool = False) -> Evaluation | None:
    stmt = select(Evaluation).where(Evaluation.id == evaluation_id,
                                    Evaluation.org_id == org_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def list_evaluations(session: Session, org_id: str, after: str | None,
                     limit: int) -> list[Evaluation]:
    stmt = select(Evaluation).where(Evaluation.org_id == org_id)
    if after:
        stmt = stmt.where(Evaluation.id > after)
    return list(session.scalars(stmt.order_by(Evaluation.id).limit(limit)))


def count_replies(session: Session, org_id: str, evaluation_id: str) -> dict[str, int]:
    """Replies of the evaluation by status."""
    rows = session.execute(
        select(EvaluationReply.status, func.count())
        .where(EvaluationReply.org_id == org_id,
               EvaluationReply.evaluation_id == evaluation_id)
        .group_by(EvaluationReply.status)).all()
    return {status: int(n) for status, n in rows}


def list_replies(session: Session, org_id: str, evaluation_id: str, *,
                 status: str | None = None, limit: int | None = None,
                 for_update: bool = False) -> list[EvaluationReply]:
    stmt = select(EvaluationReply).where(EvaluationReply.org_id == org_id,
                                         EvaluationReply.evaluation_id == evaluation_id)
    if status is not None:
        stmt = stmt.where(EvaluationReply.status == status)
    stmt = stmt.order_by(EvaluationReply.prompt_index, EvaluationReply.model)
    if limit is not None:
        stmt = stmt.limit(limit)
    if for_update:
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt))


def get_replies(session: Session, org_id: str, reply_ids: Sequence[str], *,
                for_update: bool = False) -> list[EvaluationReply]:
    stmt = select(EvaluationReply).where(EvaluationReply.org_id == org_id,
                                         EvaluationReply.id.in_(list(reply_ids)))
    # One order for every writer's row locks: two runs of a chunk wait, never deadlock.
    stmt = stmt.order_by(EvaluationReply.id)
    if for_update:
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt))


def list_battles(session: Session, org_id: str, evaluation_id: str, *,
                 judge_status: str | None = None, limit: int | None = None,
                 for_update: bool = False) -> list[EvaluationBattle]:
    stmt = select(EvaluationBattle).where(EvaluationBattle.org_id == org_id,
                                          EvaluationBattle.evaluation_id == evaluation_id)
    if judge_status is not None:
        stmt = stmt.where(EvaluationBattle.judge_status == judge_status)
    stmt = stmt.order_by(EvaluationBattle.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    if for_update:
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt))


def count_battles(session: Session, org_id: str, evaluation_id: str) -> dict[str, int]:
    """Battles of the evaluation by the judge's status."""
    rows = session.execute(
        select(EvaluationBattle.judge_status, func.count())
        .where(EvaluationBattle.org_id == org_id,
               EvaluationBattle.evaluation_id == evaluation_id)
        .group_by(EvaluationBattle.judge_status)).all()
    return {status: int(n) for status, n in rows}
