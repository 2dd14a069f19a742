"""The project's settings: ``GET/POST /projects/{id}/settings``, a form for everything
``PATCH /v1/projects/{id}`` changes, the kind's params as form fields of their own
(``Kind.form_fields``: labels, choices, criteria, a rating scale and rubric) with the JSON
of every param as an advanced alternative.

The form becomes a :class:`ProjectPatch` and goes through
``projects.service.update_project``, the same rules as the API; its errors (each naming a
field path) are shown by their form fields, and the form keeps what was typed. Viewers see
the settings read-only. The page embeds a live preview of the worker's page for the
settings being typed (``preview_views``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from assay.auditlog import service as auditlog
from assay.db.engine import Database
from assay.errors import AssayError, InvalidInput, validation_details
from assay.http.auth import get_db
from assay.kinds import get_kind
from assay.projects import service as projects
from assay.projects.schemas import ProjectPatch
from assay.web.console_access import can_change, project_page_for
from assay.web.pages import refuse_foreign_form, render
from assay.web.project_form_views import QUALITY_FIELDS, errors_by_field, form_params

router = APIRouter(include_in_schema=False)

TEXT = ("name", "instructions", "params", *QUALITY_FIELDS, "per_task", "currency",
        "workforce", "sensitivity", "retention_days", "lease_seconds", "answers_per_minute",
        "min_seconds_per_task", "undo_seconds", "callback_url")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def form_of(project: dict[str, Any]) -> dict[str, str]:
    """The form's text for a project as the API describes it."""
    quality, pay, limits = project["quality"], project["pay"], project["limits"] or {}
    return {
        "name": project["name"], "kind": project["kind"],
        "instructions": project["instructions"] or "", "params": "",
        **get_kind(project["kind"]).form_values(project["params"] or {}),
        **{name: _text(quality.get(name)) for name in QUALITY_FIELDS},
        "per_task": _text(pay.get("per_task")), "currency": _text(pay.get("currency")),
        "workforce": project["workforce"], "sensitivity": project["sensitivity"],
        "retention_days": _text(project["retention_days"]),
        "lease_seconds": _text(project["lease_seconds"]),
        "answers_per_minute": _text(limits.get("answers_per_minute")),
        "min_seconds_per_task": _text(limits.get("min_seconds_per_task")),
        "undo_seconds": _text(limits.get("undo_seconds")),
        "callback_url": _text(project["callback_url"]),
    }


def kind_fields(kind: str) -> list[dict[str, Any]]:
    return [{"name": f.name, "label": f.label, "input": f.input, "kinds": [kind]}
            for f in get_kind(kind).form_fields]


def _number(text: str) -> int | float | str | None:
    """Empty is none; a number is itself; anything else is passed on to be refused by
    name."""
    text = text.strip()
    if not text:
        return None
    for parse in (int, float):
        try:
            return parse(text)
        except ValueError:
            continue
    return text


def build_patch(form: dict[str, str], kind: str) -> ProjectPatch:
    """The PATCH body the form describes. Raises :class:`InvalidInput` with field paths."""
    params = form_params(form, kind)
    body: dict[str, Any] = {
        "name": form["name"].strip(), "instructions": form["instructions"],
        "quality": {n: form[n].strip() for n in QUALITY_FIELDS if form[n].strip()} or None,
        "pay": {n: form[n].strip() for n in ("per_task", "currency") if form[n].strip()} or None,
        "workforce": form["workforce"] or None, "sensitivity": form["sensitivity"] or None,
        "retention_days": _number(form["retention_days"]),
        "lease_seconds": _number(form["lease_seconds"]),
        "limits": {"answers_per_minute": _number(form["answers_per_minute"]),
                   "min_seconds_per_task": _number(form["min_seconds_per_task"]),
                   "undo_seconds": _number(form["undo_seconds"])},
        "callback_url": form["callback_url"].strip() or None,
    }
    if params is not None:
        body["params"] = params
    try:
        return ProjectPatch.model_validate(body)
    except ValidationError as exc:
        raise InvalidInput("invalid settings",
                           {"fields": validation_details(list(exc.errors()))}) from exc


def _page(request: Request, project: dict[str, Any], form: dict[str, str], editable: bool,
          errors: dict[str, list[str]] | None = None, status: int = 200,
          saved: bool = False) -> HTMLResponse:
    return render(request, "project_settings.html", {
        "project": project, "form": form, "errors": errors or {}, "editing": True,
        "editable": editable, "kinds": [project["kind"]], "tab": "settings",
        "kind_fields": kind_fields(project["kind"]), "saved": saved,
    }, status)


@router.get("/projects/{project_id}/settings", response_model=None)
def settings_page(project_id: str, request: Request, saved: str | None = None,
                  db: Database = Depends(get_db)) -> Response:
    found = project_page_for(request, db, project_id)
    if isinstance(found, Response):
        return found
    who, project = found
    return _page(request, project, form_of(project), can_change(who), saved=saved == "1")


async def posted_form(request: Request) -> dict[str, str]:
    """The text fields of a posted form."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/projects/{project_id}/settings", response_model=None)
def save_settings(project_id: str, request: Request,
                  posted: dict[str, str] = Depends(posted_form),
                  db: Database = Depends(get_db)) -> Response:
    found = project_page_for(request, db, project_id)
    if isinstance(found, Response):
        return found
    who, project = found
    form = {**form_of(project), **posted}
    for field in get_kind(project["kind"]).form_fields:  # an unticked box is not sent
        if field.input == "checkbox":
            form[field.name] = "1" if posted.get(field.name) == "1" else ""
    refused = refuse_foreign_form(request, form.get("csrf_token", ""))
    if refused is not None:
        return refused
    if not can_change(who):
        return render(request, "error.html", {
            "title": "Read only", "message": "A viewer cannot change a project's settings."},
            403)
    hosts: tuple[str, ...] = request.app.state.settings.allowed_callback_hosts

    def save(session: Session) -> None:
        body = build_patch(form, project["kind"])
        projects.update_project(session, who, project_id, body, hosts)
        auditlog.record(session, who, "project.update", project_id)

    try:
        db.write(save)
    except InvalidInput as exc:
        fields = exc.details.get("fields") or [{"field": "form", "message": exc.message}]
        errors = errors_by_field(fields, bool(form["params"].strip()), project["kind"],
                                 (*TEXT, *(f.name for f in get_kind(project["kind"]).form_fields)))
        return _page(request, project, form, True, errors, 422)
    except AssayError as exc:
        return _page(request, project, form, True, {"form": [exc.message]}, exc.status)
    return RedirectResponse(f"/projects/{project_id}/settings?saved=1", status_code=303)

