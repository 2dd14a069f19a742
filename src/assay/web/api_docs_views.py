"""``/docs``: the API reference, drawn on the server from the app's own OpenAPI document.

FastAPI's default ``/docs`` and ``/redoc`` load their viewers from a CDN, so they are blank
on a server without internet access (and they would send every reader's address to it).
This page needs no script and no asset from anywhere else: one HTML page with every route,
its parameters, body and answers, and every schema with its fields.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from assay.web.pages import render

router = APIRouter(include_in_schema=False)

METHODS = ("get", "post", "put", "patch", "delete")


def type_of(schema: dict[str, Any] | None) -> str:
    """A schema as a short type for people: ``string``, ``list of Offer``, ``"a" | "b"``."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema:
        return " | ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in schema["enum"])
    if "const" in schema:
        return f'"{schema["const"]}"'
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return " | ".join(type_of(s) for s in schema[combinator])
    kind = schema.get("type")
    if kind == "array":
        return f"list of {type_of(schema.get('items'))}"
    if kind == "object" and "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        return f"object of {type_of(extra if isinstance(extra, dict) else None)}"
    return str(kind or "any")


def _body(operation: dict[str, Any]) -> str | None:
    content = (operation.get("requestBody") or {}).get("content") or {}
    for media in content.values():
        return type_of(media.get("schema"))
    return None


def _responses(operation: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for code, answer in sorted((operation.get("responses") or {}).items()):
        content = answer.get("content") or {}
        schema = next((m.get("schema") for m in content.values()), None)
        out.append({"code": code, "description": answer.get("description", ""),
                    "type": type_of(schema) if schema else ""})
    return out


def reference(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document as the page's sections: operations by tag, then schemas."""
    by_tag: dict[str, list[dict[str, Any]]] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            entry = {
                "method": method.upper(), "path": path, "id": operation.get("operationId", ""),
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "parameters": [{"name": p.get("name"), "in": p.get("in"),
                                "required": p.get("required", False),
                                "type": type_of(p.get("schema")),
                                "description": p.get("description", "")}
                               for p in operation.get("parameters", [])],
                "body": _body(operation), "responses": _responses(operation),
            }
            by_tag.setdefault((operation.get("tags") or ["other"])[0], []).append(entry)
    schemas = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        schemas.append({"name": name, "description": schema.get("description", ""),
                        "type": type_of(schema) if "properties" not in schema else "object",
                        "fields": [{"name": field, "type": type_of(spec),
                                    "required": field in required,
                                    "description": spec.get("description", "")}
                                   for field, spec in schema.get("properties", {}).items()]})
    return {"info": document.get("info", {}), "tags": sorted(by_tag.items()),
            "schemas": schemas}


@router.get("/docs", response_model=None)
def api_docs(request: Request) -> Response:
    return render(request, "api_docs.html", reference(request.app.openapi()))
