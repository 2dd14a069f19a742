"""Domain errors. Each maps once to an HTTP status and a JSON error code (see http/errors.py)."""

from __future__ import annotations

from typing import Any


class AssayError(Exception):
    """Base class: a rule of the system refused the request."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict[str, Any] | None = None, *,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code is not None:
            self.code = code


class InvalidInput(AssayError):
    status = 422
    code = "invalid_input"


class NotFound(AssayError):
    status = 404
    code = "not_found"


class Conflict(AssayError):
    status = 409
    code = "conflict"


class Unauthorized(AssayError):
    status = 401
    code = "unauthorized"


class Forbidden(AssayError):
    status = 403
    code = "forbidden"


class RateLimited(AssayError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after


class ModelError(AssayError):
    """A model endpoint refused, failed (5xx after the retries) or could not be reached."""

    status = 502
    code = "model_error"


class ModelTimeout(AssayError):
    """A model call passed its deadline (``params.timeout_s``, retries included)."""

    status = 504
    code = "model_timeout"


def field_error(field: str, message: str, code: str = "invalid_input") -> InvalidInput:
    """An :class:`InvalidInput` naming one field."""
    return InvalidInput(f"{field}: {message}", {"fields": [{"field": field, "message": message}]},
                        code=code)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


def validation_details(errors: list[Any]) -> list[dict[str, Any]]:
    fields = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        kind = err.get("type", "")
        message = err.get("msg", "invalid")
        if kind == "extra_forbidden":
            message = "unknown field"
        elif kind == "missing":
            message = "is required"
        fields.append({"field": _field_path(loc), "message": message, "type": kind})
    return fields
