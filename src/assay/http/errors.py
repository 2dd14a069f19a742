"""Every error leaves the server as ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from assay.errors import AssayError, validation_details

log = logging.getLogger("assay")

_STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "body_too_large", 415: "unsupported_media",
    422: "invalid_input", 429: "rate_limited", 500: "internal_error", 503: "unavailable",
}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(status: int, code: str, message: str,
                   details: dict[str, Any] | None = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    """The framework's own errors (unknown route, wrong method, unreadable body) as JSON."""
    code = _STATUS_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if exc.status_code == 400 and "parsing the body" in message:
        # FastAPI's answer to a body that is not even text (bad UTF-8).
        code, message = "invalid_json", "the request body is not valid JSON"
    return error_response(exc.status_code, code, message, headers=exc.headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(AssayError)
    async def _domain(_: Request, exc: AssayError) -> JSONResponse:
        retry_after = getattr(exc, "retry_after", None)  # RateLimited, KeyUnavailable
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return error_response(exc.status, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "invalid_json", "the request body is not valid JSON")
        fields = validation_details(errors)
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
        return error_response(422, "invalid_input", summary, {"fields": fields})

    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]

    @app.exception_handler(OperationalError)
    async def _db(_: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", exc)
        return error_response(503, "unavailable", "the database is busy; try again",
                              headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _any(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "an internal error occurred")
