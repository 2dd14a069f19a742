"""Curation queries, always scoped to an organization: runs, duplicate pairs, predictions,
embeddings and suspects, and the task columns curation reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from assay.db.models import (
    CurationRun,
    DuplicatePair,
    Embedding,
    Prediction,
    Response,
    Suspect,
    Task,
)
from assay.db.sealing import seal
from assay.ids import new_id

CURATED_STATUSES = ("pending", "completed")
"""The tasks curation reads: live ones that are not canceled, failed or erased."""


def count_curated_tasks(session: Session, org_id: str, project_id: str) -> int:
    return int(session.scalar(
        select(func.count()).select_from(Task)
        .where(Task.org_id == org_id, Task.project_id == project_id,
               Task.purpose == "live", Task.status.in_(CURATED_STATUSES))) or 0)


def list_curated_data(session: Session, org_id: str, project_id: str, after: str,
                      limit: int) -> list[Any]:
    """``(id, data)`` of the next ``limit`` curated tasks after id ``after``."""
    return list(session.connection().execute(
        select(Task.id, Task.data)
        .where(Task.org_id == org_id, Task.project_id == project_id, Task.id > after,
               Task.purpose == "live", Task.status.in_(CURATED_STATUSES))
        .order_by(Task.id).limit(limit)).all())


def list_data_by_ids(session: Session, org_id: str, task_ids: Sequence[str]) -> dict[str, Any]:
    """``{task id: data}`` of these tasks of the organization (erased ones hold ``{}``)."""
    if not task_ids:
        return {}
    rows = session.connection().execute(
        select(Task.id, Task.data).where(Task.org_id == org_id, Task.id.in_(list(task_ids))))
    return {row.id: row.data for row in rows}


def list_project_tasks(session: Session, org_id: str, project_id: str,
                       task_ids: Sequence[str]) -> dict[str, Any]:
    """``{id: (status, purpose, result)}`` of these ids that are tasks of the project."""
    if not task_ids:
        return {}
    rows = session.connection().execute(
        select(Task.id, Task.status, Task.purpose, Task.result)
        .where(Task.org_id == org_id, Task.project_id == project_id,
               Task.id.in_(list(task_ids))))
    return {row.id: row for row in rows}


def list_completed_results(session: Session, org_id: str, project_id: str) -> list[Any]:
    """``(id, result, review_status)`` of the project's completed live tasks, by id."""
    return list(session.connection().execute(
        select(Task.id, Task.result, Task.review_status)
        .where(Task.org_id == org_id, Task.project_id == project_id,
               Task.purpose == "live", Task.status == "completed")
        .order_by(Task.id)).all())


def suspects_marker(session: Session, org_id: str, project_id: str) -> tuple[Any, ...]:
    """What changes when the project's suspects may change, in one statement: its counted
    answers (count, newest id), its live tasks (completed, waiting for review, reviewed,
    newest change), its predictions (count, newest) and the suspects sent from it."""
    def scalar(stmt: Any) -> Any:
        return stmt.scalar_subquery()

    live = (Task.org_id == org_id, Task.project_id == project_id, Task.purpose == "live")
    answers = (Response.org_id == org_id, Response.project_id == project_id, Response.counts)
    preds = (Prediction.org_id == org_id, Prediction.project_id == project_id)
    row = session.execute(select(
        scalar(select(func.count()).select_from(Response).where(*answers)),
        scalar(select(func.max(Response.id)).where(*answers)),
        scalar(select(func.count()).select_from(Task).where(*live,
                                                            Task.status == "completed")),
        scalar(select(func.count()).select_from(Task).where(*live,
                                                            Task.review_status == "pending")),
        scalar(select(func.count()).select_from(Task).where(
            *live, Task.review_status.in_(("accepted", "fixed", "rejected")))),
        scalar(select(func.max(Task.updated_at)).where(*live)),
        scalar(select(func.count()).select_from(Prediction).where(*preds)),
        scalar(select(func.max(Prediction.updated_at)).where(*preds)),
        scalar(select(func.count()).select_from(Suspect).where(
            Suspect.org_id == org_id, Suspect.project_id == project_id)),
    )).one()
    return tuple(row)


def lock_completed_tasks(session: Session, org_id: str, project_id: str,
                         task_ids: Sequence[str]) -> list[Task]:
    """These completed live tasks of the project, row-locked, by id."""
    if not task_ids:
        return []
    return list(session.scalars(
        select(Task).where(Task.org_id == org_id, Task.project_id == project_id,
                           Task.purpose == "live", Task.status == "completed",
                           Task.id.in_(list(task_ids)))
        .order_by(Task.id).with_for_update()))


# Runs.

def add_run(session: Session, org_id: str, project_id: str, kind: str,
            params: dict[str, Any], total: int, now: datetime) -> CurationRun:
    run = CurationRun(id=new_id("cur"), org_id=org_id, project_id=project_id, kind=kind,
                      status="running", done=0, total=total, params=params, error=None,
                      created_at=now, updated_at=now, finished_at=None)
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, org_id: str, run_id: str) -> CurationRun | None:
    return session.scalars(select(CurationRun).where(CurationRun.org_id == org_id,
                                                     CurationRun.id == run_id)).first()


def get_latest_run(session: Session, org_id: str, project_id: str, kind: str,
                   *, done_only: bool = False) -> CurationRun | None:
    stmt = select(CurationRun).where(CurationRun.org_id == org_id,
                                     CurationRun.project_id == project_id,
                                     CurationRun.kind == kind)
    if done_only:
        stmt = stmt.where(CurationRun.status == "done")
    return session.scalars(stmt.order_by(CurationRun.id.desc()).limit(1)).first()


def set_run_progress(session: Session, org_id: str, run_id: str, done: int,
                     now: datetime, total: int | None = None) -> None:
    values: dict[str, Any] = {"done": done, "updated_at": now}
    if total is not None:
        values["total"] = total
    session.execute(update(CurationRun)
                    .where(CurationRun.org_id == org_id, CurationRun.id == run_id,
                           CurationRun.status == "running")
                    .values(**values),
                    execution_options={"synchronize_session": False})


def finish_run(session: Session, org_id: str, run_id: str, status: str, now: datetime,
               error: str | None = None) -> bool:
    """Mark a running run ``status``; False when it was not running (claimed twice)."""
    done = session.execute(update(CurationRun)
                           .where(CurationRun.org_id == org_id, CurationRun.id == run_id,
                                  CurationRun.status == "running")
                           .values(status=status, error=error, updated_at=now,
                                   finished_at=now),
                           execution_options={"synchronize_session": False})
    return bool(getattr(done, "rowcount", 0))


# Duplicate pairs.

def insert_pairs(session: Session, org_id: str, project_id: str, run_id: str,
                 pairs: Sequence[tuple[str, str, float]]) -> None:
    rows = [{"id": new_id("dup"), "run_id": run_id, "org_id": org_id,
             "project_id": project_id, "task_a": a, "task_b": b, "similarity": s}
            for a, b, s in pairs]
    for start in range(0, len(rows), 1000):
        session.execute(insert(DuplicatePair), rows[start:start + 1000])


def delete_project_pairs(session: Session, org_id: str, project_id: str,
                         keep_run: str) -> None:
    """Drop the pairs of the project's older runs: only the newest result is kept."""
    session.execute(delete(DuplicatePair).where(DuplicatePair.org_id == org_id,
                                                DuplicatePair.project_id == project_id,
                                                DuplicatePair.run_id != keep_run),
                    execution_options={"synchronize_session": False})


def list_pairs(session: Session, org_id: str, run_id: str, after: str | None,
               limit: int) -> list[DuplicatePair]:
    stmt = select(DuplicatePair).where(DuplicatePair.org_id == org_id,
                                       DuplicatePair.run_id == run_id)
    if after is not None:
        stmt = stmt.where(DuplicatePair.id > after)
    return list(session.scalars(stmt.order_by(DuplicatePair.id).limit(limit)))


def list_pair_tasks(session: Session, org_id: str, run_id: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in session.execute(
        select(DuplicatePair.task_a, DuplicatePair.task_b)
        .where(DuplicatePair.org_id == org_id, DuplicatePair.run_id == run_id)
        .order_by(DuplicatePair.id))]


# Predictions.

def upsert_predictions(session: Session, org_id: str, project_id: str,
                       items: Sequence[tuple[str, dict[str, float]]], now: datetime) -> None:
    """Store each task's probabilities, replacing an earlier upload's."""
    ids = [task_id for task_id, _ in items]
    session.execute(delete(Prediction).where(Prediction.org_id == org_id,
                                             Prediction.task_id.in_(ids)),
                    execution_options={"synchronize_session": False})
    rows = [{"id": new_id("prd"), "org_id": org_id, "project_id": project_id,
             "task_id": task_id,
             "probabilities": seal(session, org_id, "predictions", "probabilities", probs),
             "created_at": now, "updated_at": now} for task_id, probs in items]
    for start in range(0, len(rows), 1000):
        session.execute(insert(Prediction), rows[start:start + 1000])


def list_predictions(session: Session, org_id: str, project_id: str) -> dict[str, Any]:
    """``{task id: probabilities}`` of the project's predictions."""
    rows = session.connection().execute(
        select(Prediction.task_id, Prediction.probabilities)
        .where(Prediction.org_id == org_id, Prediction.project_id == project_id))
    return {row.task_id: row.probabilities for row in rows}


def count_predictions(session: Session, org_id: str, project_id: str) -> int:
    return int(session.scalar(select(func.count()).select_from(Prediction).where(
        Prediction.org_id == org_id, Prediction.project_id == project_id)) or 0)


# Suspects sent to review.

def add_suspects(session: Session, org_id: str, project_id: str,
                 rows: Sequence[dict[str, Any]], now: datetime) -> None:
    for row in rows:
        session.add(Suspect(id=new_id("sus"), org_id=org_id, project_id=project_id,
                            task_id=row["task_id"], source=row["source"],
                            reason=row["reason"], score=row["score"],
                            label_before=row["label_before"], sent_at=now))
    session.flush()


def list_sent_suspects(session: Session, org_id: str, project_id: str) -> list[Any]:
    """Every suspect sent from the project, with its task's review status and result now."""
    return list(session.connection().execute(
        select(Suspect.task_id, Suspect.source, Suspect.label_before, Task.review_status,
               Task.result, Task.status)
        .join(Task, Task.id == Suspect.task_id)
        .where(Suspect.org_id == org_id, Suspect.project_id == project_id,
               Task.org_id == org_id)
        .order_by(Suspect.id)).all())


# Embeddings.

def list_embeddings(session: Session, org_id: str, project_id: str, model: str) -> list[Any]:
    """``(task_id, content_hash, vector)`` of the project's embeddings by ``model``."""
    return list(session.connection().execute(
        select(Embedding.task_id, Embedding.content_hash, Embedding.vector)
        .where(Embedding.org_id == org_id, Embedding.project_id == project_id,
               Embedding.model == model)
        .order_by(Embedding.task_id)).all())


def find_cached_vectors(session: Session, org_id: str, model: str,
                        hashes: Sequence[str]) -> dict[str, str]:
    """``{content hash: vector}`` of texts this organization embedded before by ``model``."""
    if not hashes:
        return {}
    found: dict[str, str] = {}
    for start in range(0, len(hashes), 500):
        rows = session.connection().execute(
            select(Embedding.content_hash, Embedding.vector)
            .where(Embedding.org_id == org_id, Embedding.model == model,
                   Embedding.content_hash.in_(list(hashes[start:start + 500]))))
        for row in rows:
            found.setdefault(row.content_hash, row.vector)
    return found


def put_embeddings(session: Session, org_id: str, project_id: str, model: str,
                   rows: Sequence[tuple[str, str, int, str]], now: datetime) -> None:
    """Store ``(task_id, content_hash, dim, vector)`` rows, replacing the task's old one."""
    if not rows:
        return
    ids = [r[0] for r in rows]
    session.execute(delete(Embedding).where(Embedding.org_id == org_id,
                                            Embedding.model == model,
                                            Embedding.task_id.in_(ids)),
                    execution_options={"synchronize_session": False})
    session.execute(insert(Embedding), [
        {"task_id": task_id, "model": model, "org_id": org_id, "project_id": project_id,
         "content_hash": digest, "dim": dim, "created_at": now,
         "vector": seal(session, org_id, "embeddings", "vector", vector)}
        for task_id, digest, dim, vector in rows])


def list_embedded_ids(session: Session, org_id: str, project_id: str, model: str) -> list[str]:
    return list(session.scalars(select(Embedding.task_id).where(
        Embedding.org_id == org_id, Embedding.project_id == project_id,
        Embedding.model == model)))


def count_unembedded(session: Session, org_id: str, project_id: str, model: str) -> int:
    """Curated tasks of the project without a vector by ``model``."""
    embedded = select(Embedding.task_id).where(Embedding.org_id == org_id,
                                               Embedding.project_id == project_id,
                                               Embedding.model == model)
    return int(session.scalar(
        select(func.count()).select_from(Task)
        .where(Task.org_id == org_id, Task.project_id == project_id, Task.purpose == "live",
               Task.status.in_(CURATED_STATUSES), Task.id.not_in(embedded))) or 0)


def embeddings_marker(session: Session, org_id: str, project_id: str,
                      model: str) -> tuple[int, Any]:
    """What changes when the project's vectors by ``model`` change: count, newest time."""
    count, newest = session.execute(
        select(func.count(), func.max(Embedding.created_at))
        .where(Embedding.org_id == org_id, Embedding.project_id == project_id,
               Embedding.model == model)).one()
    return int(count or 0), newest


def list_curated_ids(session: Session, org_id: str, project_id: str) -> list[str]:
    return list(session.scalars(select(Task.id).where(
        Task.org_id == org_id, Task.project_id == project_id, Task.purpose == "live",
        Task.status.in_(CURATED_STATUSES))))


def list_tasks_by_ids(session: Session, org_id: str, task_ids: Sequence[str]) -> dict[str, Task]:
    """These live tasks of the organization, by id."""
    if not task_ids:
        return {}
    return {t.id: t for t in session.scalars(select(Task).where(
        Task.org_id == org_id, Task.id.in_(list(task_ids)), Task.purpose == "live"))}


# Erasure: an erased task's or project's curation rows go with its content.

def delete_task_rows(session: Session, org_id: str, *, task_ids: Sequence[str] | None,
                     project_id: str | None) -> None:
    """Delete the predictions, embeddings, suspects and duplicate pairs of these tasks (or
    of every task of the project, and its runs)."""
    def which(column: Any, project_column: Any) -> ColumnElement[bool]:
        if task_ids is not None:
            return column.in_(list(task_ids))
        return project_column == project_id

    options = {"synchronize_session": False}
    for model in (Prediction, Embedding, Suspect):
        session.execute(delete(model).where(model.org_id == org_id,
                                            which(model.task_id, model.project_id)),
                        execution_options=options)
    if task_ids is not None:
        session.execute(delete(DuplicatePair).where(
            DuplicatePair.org_id == org_id,
            or_(DuplicatePair.task_a.in_(list(task_ids)),
                DuplicatePair.task_b.in_(list(task_ids)))), execution_options=options)
    else:
        session.execute(delete(DuplicatePair).where(DuplicatePair.org_id == org_id,
                                                    DuplicatePair.project_id == project_id),
                        execution_options=options)
        session.execute(delete(CurationRun).where(CurationRun.org_id == org_id,
                                                  CurationRun.project_id == project_id),
                        execution_options=options)


# Active selection: the order of pending tasks is their priority.

def list_pending_ids(session: Session, org_id: str, project_id: str) -> list[str]:
    return list(session.scalars(select(Task.id).where(
        Task.org_id == org_id, Task.project_id == project_id, Task.purpose == "live",
        Task.status == "pending").order_by(Task.id)))


def set_priorities(session: Session, org_id: str, priorities: Sequence[tuple[str, int]]) -> None:
    """Set each pending task's priority (one statement, executed for every row)."""
    if not priorities:
        return
    stmt = (update(Task)
            .where(Task.id == bindparam("b_id"), Task.org_id == org_id,
                   Task.status == "pending")
            .values(priority=bindparam("b_priority")))
    session.connection().execute(stmt, [{"b_id": t, "b_priority": p} for t, p in priorities])
