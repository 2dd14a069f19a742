"""Project rules: defaults, validation by kind, what a PATCH may change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import Requester, find_worker
from assay.callbacks.urls import check_callback_url
from assay.clock import isoformat, utcnow
from assay.db.models import Project
from assay.db.types import AnyRow
from assay.errors import Conflict, InvalidInput, NotFound, field_error
from assay.ids import new_id
from assay.kinds import get_kind
from assay.kinds.base import KindValidationError
from assay.projects import repository
from assay.projects.schemas import (
    CURATION_DEFAULTS,
    CurationIn,
    ProjectCreate,
    ProjectPatch,
    QualityIn,
)
from assay.projects.sensitivity import LEVELS, visible_levels

DEFAULT_PAY = {"per_task": "0", "training_per_task": "0", "currency": "USD"}
QUALITY_DEFAULTS: dict[str, Any] = {
    "overlap": 1, "max_overlap": 1, "target_confidence": 0.0, "gold_rate": 0.0,
    "min_worker_accuracy": 0.0, "review_rate": 0.0, "second_review_rate": 0.0,
    "resettle": True,
}


def kind_error(exc: KindValidationError) -> InvalidInput:
    fields = [{"field": e.field, "message": e.message} for e in exc.errors]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return InvalidInput(summary, {"fields": fields})


def _quality(base: dict[str, Any] | None, patch: QualityIn | None) -> dict[str, Any]:
    """Merge a quality policy field by field. ``max_overlap`` follows ``overlap`` upward
    unless it is given; a given ``max_overlap`` below ``overlap`` is refused."""
    q: dict[str, Any] = dict(base or QUALITY_DEFAULTS)
    given = patch.model_dump(exclude_none=True) if patch else {}
    q.update(given)
    if "max_overlap" not in given:
        q["max_overlap"] = max(q["overlap"], q["max_overlap"] if base else 0)
    if q["max_overlap"] < q["overlap"]:
        raise field_error("quality.max_overlap", "must not be less than quality.overlap")
    return q


def _pay(base: dict[str, Any] | None, patch: Any) -> dict[str, Any]:
    pay = dict(base or DEFAULT_PAY)
    if patch is not None:
        pay.update(patch.model_dump(exclude_none=True))
    return pay


def get_project(session: Session, who: Requester, project_id: str, *,
                for_update: bool = False, key_share: bool = False) -> Project:
    project = repository.get_project(session, who.org_id, project_id, for_update=for_update,
                                     key_share=key_share)
    if project is None:
        raise NotFound(f"project {project_id} does not exist")
    return project


def get_project_in_org(session: Session, org_id: str, project_id: str, *,
                       for_update: bool = False) -> Project:
    """The organization's project, for jobs that carry the organization (the refit)."""
    project = repository.get_project(session, org_id, project_id, for_update=for_update)
    if project is None:
        raise NotFound(f"project {project_id} does not exist")
    return project


def get_project_as_operator(session: Session, project_id: str) -> Project:
    """Any organization's project: for the operator's commands, which act across
    organizations."""
    project = repository.get_project(session, None, project_id)
    if project is None:
        raise NotFound(f"project {project_id} does not exist")
    return project


def create_project(session: Session, who: Requester, body: ProjectCreate,
                   allowed_hosts: tuple[str, ...]) -> Project:
    kind = get_kind(body.kind)
    try:
        params = kind.validate_params(body.params)
    except KindValidationError as exc:
        raise kind_error(exc) from exc
    now = utcnow()
    project = Project(
        id=new_id("prj"), org_id=who.org_id, name=body.name, kind=body.kind,
        instructions=body.instructions, params=params, quality=_quality(None, body.quality),
        pay=_pay(None, body.pay), workforce=body.workforce, lease_seconds=body.lease_seconds,
        limits=(body.limits.model_dump() if body.limits
                else {"answers_per_minute": None, "min_seconds_per_task": None,
                      "undo_seconds": None}),
        callback_url=check_callback_url(body.callback_url, allowed_hosts),
        sensitivity=body.sensitivity, retention_days=body.retention_days,
        curation=_curation(None, body.curation), created_at=now, updated_at=now,
    )
    _check_crowd(project, "sensitivity" if body.sensitivity == "restricted" else "workforce")
    session.add(project)
    session.flush()
    return project


def update_project(session: Session, who: Requester, project_id: str, body: ProjectPatch,
                   allowed_hosts: tuple[str, ...]) -> Project:
    project = get_project(session, who, project_id, for_update=True)
    given = body.model_fields_set
    if body.params is not None:
        kind = get_kind(project.kind)
        try:
            params = kind.validate_params(body.params)
            removed = set(kind.check_params_change(project.params, params))
        except KindValidationError as exc:
            raise kind_error(exc) from exc
        if removed:
            answers = repository.list_used_labels_answers(session, who.org_id, project.id)
            used = set().union(*(kind.labels_used(a) for a in answers)) if answers else set()
            if removed & used:
                raise Conflict("labels in use by answers cannot be removed",
                               {"labels": sorted(removed & used)}, code="label_in_use")
        project.params = params
    if body.quality is not None:
        quality = _quality(project.quality, body.quality)
        if quality["overlap"] != project.quality.get("overlap"):
            repository.set_pending_overlap(session, project.org_id, project.id,
                                           quality["overlap"])
        project.quality = quality
    if body.pay is not None:
        project.pay = _pay(project.pay, body.pay)
    if body.limits is not None:
        project.limits = {**project.limits, **body.limits.model_dump(exclude_unset=True)}
    for name in ("name", "instructions", "workforce", "lease_seconds", "sensitivity"):
        value = getattr(body, name)
        if value is not None:
            setattr(project, name, value)
    if "retention_days" in given:
        project.retention_days = body.retention_days
    if body.curation is not None:
        project.curation = _curation(project.curation, body.curation)
    _check_crowd(project, "sensitivity" if body.sensitivity is not None else "workforce")
    if "callback_url" in given:
        project.callback_url = check_callback_url(body.callback_url, allowed_hosts)
    project.updated_at = utcnow()
    session.flush()
    return project


def _curation(base: dict[str, Any] | None, patch: CurationIn | None) -> dict[str, Any] | None:
    if patch is None:
        return base
    return {**(base or {}), **patch.model_dump(exclude_none=True)}


def _check_crowd(project: Project, field: str) -> None:
    """A restricted project takes no crowd workers (``field``: the one the request set)."""
    if project.sensitivity == "restricted" and project.workforce == "crowd":
        raise field_error(field, "a restricted project cannot have the crowd workforce")


def project_object(project: Project, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "kind": project.kind,
        "instructions": project.instructions,
        "params": project.params,
        "quality": {**QUALITY_DEFAULTS, **project.quality},
        "pay": {**DEFAULT_PAY, **project.pay},
        "workforce": project.workforce,
        "lease_seconds": project.lease_seconds,
        "limits": project.limits,
        "callback_url": project.callback_url,
        "sensitivity": project.sensitivity,
        "retention_days": project.retention_days,
        "curation": {**CURATION_DEFAULTS, **(project.curation or {})},
        "created_at": isoformat(project.created_at),
        "updated_at": isoformat(project.updated_at),
        "counts": counts,
    }


def describe(session: Session, who: Requester, projects: list[Project]) -> list[dict[str, Any]]:
    counts = repository.count_tasks_by_status(session, who.org_id, [p.id for p in projects])
    empty = dict.fromkeys(repository.TASK_STATUSES, 0)
    return [project_object(p, counts.get(p.id, empty)) for p in projects]


def worker_levels(session: Session, worker_id: str) -> tuple[str, ...]:
    """The project sensitivities the worker is cleared for, read at every request (a
    lowered clearance holds at once, whatever credential caches say)."""
    worker = find_worker(session, worker_id)
    if worker is not None and worker.erased_at is not None:
        return ()  # erased: nothing, even while a server still caches their token
    return visible_levels(worker.clearances if worker is not None else None)


def eligible_project_ids(session: Session, worker_org_id: str | None,
                         worker_id: str) -> list[str]:
    """The projects a worker of ``worker_org_id`` (None: the crowd) may work on."""
    return repository.list_eligible_project_ids(session, worker_org_id,
                                                worker_levels(session, worker_id))


def get_project_for_worker(session: Session, worker_org_id: str | None, project_id: str,
                           worker_id: str) -> AnyRow | None:
    """The project as that worker may see it (a plain row), or None."""
    return repository.get_project_for_worker(session, worker_org_id, project_id,
                                             worker_levels(session, worker_id))


def is_above_clearance(session: Session, worker_org_id: str | None, project_id: str,
                       worker_id: str) -> bool:
    """Whether the project is one the worker could work on but for its sensitivity."""
    return (repository.get_project_for_worker(session, worker_org_id, project_id, LEVELS)
            is not None and get_project_for_worker(session, worker_org_id, project_id,
                                                   worker_id) is None)


def get_project_row(session: Session, org_id: str, project_id: str) -> AnyRow:
    """A project the caller reached through one of its tasks or assignments (a plain row)."""
    return repository.get_project_row(session, org_id, project_id)


def list_worker_projects(session: Session, worker_org_id: str | None,
                         worker_id: str) -> list[Project]:
    """The projects a worker of ``worker_org_id`` (None: the crowd) may open."""
    return repository.list_worker_projects(session, worker_org_id,
                                           worker_levels(session, worker_id))


def get_worker_project(session: Session, worker_org_id: str | None, project_id: str,
                       worker_id: str) -> Project | None:
    """The project, if a worker of ``worker_org_id`` may open it (an ORM row for pages)."""
    found = repository.list_worker_projects(session, worker_org_id,
                                            worker_levels(session, worker_id), project_id)
    return found[0] if found else None
