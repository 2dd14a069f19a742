"""The form that creates a project: ``GET/POST /projects/new``, for requester users only.

The form's fields become a :class:`ProjectCreate` body and go through
``projects.service.create_project``, the same rules as ``POST /v1/projects``. Errors (the
schema's and the kind's, each naming a field path such as ``params.labels[1]`` or
``quality.overlap``) are shown next to the form field they belong to, and the form keeps
what the user typed.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.auditlog import service as auditlog
from assay.db.engine import Database
from assay.errors import AssayError, InvalidInput, validation_details
from assay.http.auth import get_db, refuse_viewer_session
from assay.kinds import KIND_NAMES, all_kinds, get_kind
from assay.projects import service as projects
from assay.projects.schemas import ProjectCreate
from assay.web.pages import error_page, refuse_foreign_form, render, signed_in, to_login

router = APIRouter(include_in_schema=False)


def _kind_fields() -> list[dict[str, Any]]:
    """Each field some kind adds to the form (``Kind.form_fields``), once, with the kinds
    that use it: ``labels`` serves every kind with labels."""
    fields: dict[str, dict[str, Any]] = {}
    for kind in all_kinds():
        for field in kind.form_fields:
            entry = fields.setdefault(field.name, {"name": field.name, "label": field.label,
                                                   "input": field.input, "kinds": []})
            entry["kinds"].append(kind.name)
    return list(fields.values())


KIND_FIELDS = _kind_fields()
# The kinds' fields, where the errors of their params key are shown.
LINE_FIELDS = tuple(f["name"] for f in KIND_FIELDS)
QUALITY_FIELDS = ("overlap", "max_overlap", "target_confidence", "gold_rate",
                  "min_worker_accuracy", "review_rate")
TEXT_FIELDS = ("name", "kind", *LINE_FIELDS, "instructions", "params", "per_task",
               "currency", "workforce", "sensitivity", "retention_days", *QUALITY_FIELDS)
EMPTY_FORM: dict[str, Any] = {**dict.fromkeys(TEXT_FIELDS, ""),
                              **{f["name"]: "" for f in KIND_FIELDS}, "kind": KIND_NAMES[0],
                              "overlap": "1", "currency": "USD", "workforce": "private",
                              "sensitivity": "standard"}


def _who(request: Request) -> Requester | Response:
    signed = signed_in(request)
    if signed is None:
        return to_login(request)
    if not isinstance(signed.principal, Requester):
        return error_page(request, 403, "Requesters only",
                          "Only requester accounts can create projects.")
    return signed.principal


def _form_page(request: Request, form: dict[str, Any], errors: dict[str, list[str]] | None = None,
               status: int = 200) -> HTMLResponse:
    return render(request, "project_new.html", {
        "form": form, "errors": errors or {}, "kinds": KIND_NAMES, "kind_fields": KIND_FIELDS,
    }, status)


def form_field(path: str, params_given: bool, kind: str | None = None) -> tuple[str, str]:
    """The form field an error's field path belongs to, and the rest of the path (with
    ``kind``, its own field for a params key that it fills from a field of another name)."""
    head, _, rest = path.partition(".")
    if head == "params":
        key = rest.split(".", 1)[0].split("[", 1)[0]
        own = {f.key: f.name for f in get_kind(kind).form_fields} if kind in KIND_NAMES else {}
        name = own.get(key, key)
        if not params_given and name in LINE_FIELDS:
            return name, rest[len(key):].lstrip(".")
        return "params", rest
    if head == "quality":
        name, _, deeper = rest.partition(".")
        return name, deeper
    if head == "pay":
        name, _, deeper = rest.partition(".")
        return ("currency" if name == "currency" else "per_task"), deeper
    if head == "limits":
        name, _, deeper = rest.partition(".")
        return name, deeper
    if head:
        return head, rest
    return "form", path


def errors_by_field(fields: list[dict[str, Any]], params_given: bool, kind: str | None = None,
                    known: tuple[str, ...] = TEXT_FIELDS) -> dict[str, list[str]]:
    """The API's field errors as messages per form field of ``known`` (``form`` for the
    rest)."""
    out: dict[str, list[str]] = {}
    for f in fields:
        name, rest = form_field(str(f.get("field", "")), params_given, kind)
        message = str(f.get("message", "invalid"))
        if f.get("type") in ("string_too_short", "missing") and name in known:
            message = "is required"
        if rest:
            message = f"{rest.lstrip('.')}: {message}"
        out.setdefault(name if name in known else "form", []).append(message)
    return out


def form_params(form: dict[str, Any], kind: str) -> Any:
    """The params a project form gives: its JSON when given, else the kind's fields."""
    if form["params"].strip():
        try:
            return json.loads(form["params"])
        except ValueError as exc:
            raise InvalidInput("params: not JSON", {"fields": [
                {"field": "params", "message": "is not valid JSON"}]}) from exc
    return get_kind(kind).params_from_form(form) if kind in KIND_NAMES else None


def build_body(form: dict[str, Any]) -> ProjectCreate:
    """The request body the form describes. Raises :class:`InvalidInput` with field paths."""
    params = form_params(form, form["kind"])
    quality = {name: form[name].strip() for name in QUALITY_FIELDS if form[name].strip()}
    pay = {name: form[name].strip() for name in ("per_task", "currency") if form[name].strip()}
    try:
        return ProjectCreate.model_validate({
            "name": form["name"].strip(), "kind": form["kind"],
            "instructions": form["instructions"], "params": params,
            "quality": quality or None, "pay": pay or None,
            "workforce": form["workforce"] or "private",
            "sensitivity": form["sensitivity"] or "standard",
            "retention_days": _whole_number(form["retention_days"]),
        })
    except ValidationError as exc:
        fields = validation_details(list(exc.errors()))
        raise InvalidInput("invalid project", {"fields": fields}) from exc


def _whole_number(text: str) -> int | str | None:
    """A form's number as the API takes it: empty is none, digits an integer, anything else
    is passed on to be refused by name."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


@router.get("/projects/new", response_model=None, dependencies=[Depends(refuse_viewer_session)])
def new_project_form(request: Request) -> Response:
    who = _who(request)
    if isinstance(who, Response):
        return who
    return _form_page(request, dict(EMPTY_FORM))


async def kind_form_values(request: Request) -> dict[str, str]:
    """The kind fields of the submitted form: text as typed, a ticked box ``"1"``, and
    ``""`` for a field left out."""
    form = await request.form()
    values = {}
    for field in KIND_FIELDS:
        value = form.get(field["name"])
        text = value if isinstance(value, str) else ""
        values[field["name"]] = ("1" if text == "1" else "") if field["input"] == "checkbox" \
            else text
    return values


@router.post("/projects/new", response_model=None,
             dependencies=[Depends(refuse_viewer_session)])
def create_project(request: Request, csrf_token: str = Form(""), name: str = Form(""),
                   kind: str = Form(""), instructions: str = Form(""), params: str = Form(""),
                   overlap: str = Form(""), max_overlap: str = Form(""),
                   target_confidence: str = Form(""), gold_rate: str = Form(""),
                   min_worker_accuracy: str = Form(""), review_rate: str = Form(""),
                   per_task: str = Form(""), currency: str = Form(""),
                   workforce: str = Form(""), sensitivity: str = Form(""),
                   retention_days: str = Form(""),
                   kind_values: dict[str, str] = Depends(kind_form_values),
                   db: Database = Depends(get_db)) -> Response:
    who = _who(request)
    if isinstance(who, Response):
        return who
    refused = refuse_foreign_form(request, csrf_token)
    if refused is not None:
        return refused
    form: dict[str, Any] = {
        "name": name, "kind": kind, **kind_values, "instructions": instructions,
        "params": params, "overlap": overlap, "max_overlap": max_overlap,
        "target_confidence": target_confidence, "gold_rate": gold_rate,
        "min_worker_accuracy": min_worker_accuracy, "review_rate": review_rate,
        "per_task": per_task, "currency": currency, "workforce": workforce,
        "sensitivity": sensitivity, "retention_days": retention_days,
    }
    hosts: tuple[str, ...] = request.app.state.settings.allowed_callback_hosts

    def create(session: Session) -> str:
        project_id = projects.create_project(session, who, build_body(form), hosts).id
        return auditlog.noted(session, who, "project.create", project_id, project_id)

    try:
        project_id = db.write(create)
    except InvalidInput as exc:
        fields = exc.details.get("fields") or [{"field": "form", "message": exc.message}]
        return _form_page(request, form, errors_by_field(fields, bool(params.strip()), kind),
                          422)
    except AssayError as exc:
        return _form_page(request, form, {"form": [exc.message]}, exc.status)
    return RedirectResponse(f"/projects/{project_id}", status_code=303)
