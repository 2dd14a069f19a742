"""Task rules: creation (one, bulk), idempotency by ``unique_id``, patch, cancel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.callbacks.urls import check_callback_url
from assay.clock import utcnow
from assay.db.models import Batch, Project, Task
from assay.errors import (
    AssayError,
    Conflict,
    InvalidInput,
    NotFound,
    field_error,
    validation_details,
)
from assay.ids import new_id
from assay.kinds import get_kind
from assay.kinds.base import KindValidationError
from assay.projects import service as projects
from assay.storable import find_unstorable
from assay.tasks import repository
from assay.tasks.objects import task_object
from assay.tasks.schemas import MAX_BULK, BulkCreate, TaskCreate, TaskFields, TaskPatch

HELD_BATCH = ("staging", "paused")
OPEN_BATCH = ("staging", "in_progress", "paused")


def get_task(session: Session, who: Requester, task_id: str, *,
             for_update: bool = False) -> Task:
    task = repository.get_task(session, who.org_id, task_id, for_update=for_update)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    return task


def get_batch(session: Session, who: Requester, batch_id: str, field: str = "batch",
              *, for_update: bool = False) -> Batch:
    batch = repository.get_batch(session, who.org_id, batch_id, for_update=for_update)
    if batch is None:
        raise NotFound(f"batch {batch_id} does not exist", {"field": field})
    return batch


class _Row(AssayError):
    """An invalid bulk row: its fields, ready to report."""

    def __init__(self, fields: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{f['field']}: {f['message']}" for f in fields[:3]))
        self.fields = fields


def _build_row(project: Project, item: TaskFields, batch: Batch | None,
               allowed_hosts: tuple[str, ...], now: datetime) -> dict[str, Any]:
    try:
        get_kind(project.kind).validate_data(project.params, item.data)
    except KindValidationError as exc:
        raise _Row([{"field": e.field, "message": e.message} for e in exc.errors]) from exc
    try:
        check_callback_url(item.callback_url, allowed_hosts)
    except InvalidInput as exc:
        raise _Row(exc.details["fields"]) from exc
    return {
        "id": new_id("tsk"), "org_id": project.org_id, "project_id": project.id,
        "batch_id": batch.id if batch else None, "status": "pending",
        "held": bool(batch and batch.status in HELD_BATCH), "data": item.data,
        "meta": item.metadata, "unique_id": item.unique_id, "priority": item.priority,
        "result": None, "callback_url": item.callback_url, "callback_succeeded": None,
        "review_status": None, "overlap": int(project.quality["overlap"]), "slots_taken": 0,
        "n_responses": 0, "created_at": now, "updated_at": now, "completed_at": None,
    }


def _resolve_batch(session: Session, who: Requester, project: Project,
                   batch_id: str | None) -> Batch | None:
    if batch_id is None:
        return None
    batch = get_batch(session, who, batch_id)
    if batch.project_id != project.id:
        raise field_error("batch", "belongs to another project")
    if batch.status not in OPEN_BATCH:
        raise Conflict(f"batch {batch.id} is {batch.status}; it takes no more tasks",
                       code="batch_closed")
    return batch


def create_task(session: Session, who: Requester, body: TaskCreate,
                allowed_hosts: tuple[str, ...]) -> Task:
    project = projects.get_project(session, who, body.project)
    batch = _resolve_batch(session, who, project, body.batch)
    if body.unique_id is not None:
        existing = repository.get_ids_by_unique_id(session, who.org_id, project.id,
                                                   [body.unique_id])
        if existing:
            raise Conflict(f"unique_id {body.unique_id!r} is already used in this project",
                           {"task_id": existing[body.unique_id]}, code="duplicate_unique_id")
    try:
        row = _build_row(project, body, batch, allowed_hosts, utcnow())
    except _Row as exc:
        raise InvalidInput(exc.message, {"fields": exc.fields}) from exc
    try:
        with session.begin_nested():
            repository.insert_tasks(session, who.org_id, [row])
    except IntegrityError as exc:
        existing = repository.get_ids_by_unique_id(session, who.org_id, project.id,
                                                   [body.unique_id or ""])
        raise Conflict(f"unique_id {body.unique_id!r} is already used in this project",
                       {"task_id": existing.get(body.unique_id or "")},
                       code="duplicate_unique_id") from exc
    return get_task(session, who, row["id"])


def bulk_create(session: Session, who: Requester, body: BulkCreate,
                allowed_hosts: tuple[str, ...]) -> dict[str, Any]:
    """All-or-nothing unless ``partial``; duplicates are reported, never fatal."""
    if len(body.tasks) > MAX_BULK:
        raise InvalidInput(f"at most {MAX_BULK} tasks per call, got {len(body.tasks)}",
                           {"max": MAX_BULK}, code="too_many_items")
    project = projects.get_project(session, who, body.project)
    batches: dict[str, Batch | None] = {}
    now = utcnow()
    rows: list[tuple[int, dict[str, Any]]] = []
    errors: list[dict[str, Any]] = []
    for index, raw in enumerate(body.tasks):
        try:
            if not isinstance(raw, dict):
                raise _Row([{"field": "", "message": "must be an object"}])
            unstorable = find_unstorable(raw)
            if unstorable is not None:
                raise _Row([{"field": unstorable[0], "message": unstorable[1]}])
            try:
                item = TaskFields.model_validate(raw)
            except ValidationError as exc:
                raise _Row(validation_details(list(exc.errors()))) from exc
            key = item.batch or body.batch or ""
            if key not in batches:
                batches[key] = _resolve_batch(session, who, project, key or None)
            rows.append((index, _build_row(project, item, batches[key], allowed_hosts, now)))
        except _Row as exc:
            errors.append({"index": index, "code": "invalid_input", "message": exc.message,
                           "fields": [{**f, "field": f"tasks[{index}]." + f["field"]
                                       if f["field"] else f"tasks[{index}]"}
                                      for f in exc.fields]})
        except NotFound as exc:
            errors.append({"index": index, "code": "not_found", "message": exc.message})
        except AssayError as exc:
            errors.append({"index": index, "code": exc.code, "message": exc.message})
    if errors and not body.partial:
        raise InvalidInput(f"{len(errors)} of {len(body.tasks)} tasks are invalid; "
                           "nothing was created", {"errors": errors})
    for attempt in range(3):
        duplicates, fresh = _split_duplicates(session, who, project, rows)
        try:
            with session.begin_nested():
                if fresh:
                    repository.insert_tasks(session, who.org_id, [row for _, row in fresh])
            break
        except IntegrityError:
            if attempt == 2:
                raise
    return {"created": len(fresh), "duplicates": duplicates, "errors": errors}


def _split_duplicates(session: Session, who: Requester, project: Project,
                      rows: list[tuple[int, dict[str, Any]]]
                      ) -> tuple[list[dict[str, Any]], list[tuple[int, dict[str, Any]]]]:
    uids = [row["unique_id"] for _, row in rows if row["unique_id"] is not None]
    existing = repository.get_ids_by_unique_id(session, who.org_id, project.id, uids)
    seen: dict[str, str] = {}
    duplicates: list[dict[str, Any]] = []
    fresh: list[tuple[int, dict[str, Any]]] = []
    for index, row in rows:
        uid = row["unique_id"]
        if uid is not None and (uid in existing or uid in seen):
            duplicates.append({"index": index, "task_id": existing.get(uid) or seen[uid]})
            continue
        if uid is not None:
            seen[uid] = row["id"]
        fresh.append((index, row))
    return duplicates, fresh


def patch_task(session: Session, who: Requester, task_id: str, body: TaskPatch) -> Task:
    task = get_task(session, who, task_id, for_update=True)
    if body.priority is not None:
        task.priority = body.priority
    if body.metadata is not None:
        task.meta = body.metadata
    task.updated_at = utcnow()
    session.flush()
    return task


def cancel_task(session: Session, who: Requester, task_id: str) -> Task:
    task = get_task(session, who, task_id, for_update=True)
    if task.status == "canceled":
        return task
    if task.status != "pending" or task.n_responses > 0:
        raise Conflict("a task with recorded answers cannot be canceled",
                       {"status": task.status}, code="task_has_responses")
    task.status = "canceled"
    task.updated_at = utcnow()
    session.flush()
    return task


def first_task_data(session: Session, who: Requester,
                    project_id: str) -> tuple[str, Any] | None:
    """The id and data of the project's oldest live task, or None when it has none."""
    rows = repository.list_tasks(session, who.org_id, project_id=project_id, batch_id=None,
                                 status=None, updated_after=None, after=None, limit=1)
    return (rows[0].id, rows[0].data) if rows else None


def iter_project_task_objects(session: Session, org_id: str, project_id: str,
                              include_responses: bool, chunk: int) -> Iterator[dict[str, Any]]:
    """Every live task of the project as a task object, oldest first, read by keyset pages
    of ``chunk`` rows inside the caller's (snapshot) transaction."""
    after = ""
    while True:
        rows = repository.list_live_task_rows(session, org_id, project_id, after, chunk)
        if not rows:
            return
        responses = (repository.list_counted_responses(session, org_id, [t.id for t in rows])
                     if include_responses else None)
        for row in rows:
            yield task_object(row, responses.get(row.id, []) if responses is not None
                              else None)
        after = rows[-1].id
