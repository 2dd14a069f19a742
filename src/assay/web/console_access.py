"""Who may use the console: the requester and the project of a project's page
(:func:`project_page_for`), and for a JSON call that changes something a signed-in
requester with the member (or admin) role and the session's CSRF token
(:func:`changing_member`)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from assay.accounts.service import Requester
from assay.db.engine import Database
from assay.errors import Forbidden, Unauthorized
from assay.projects import service as projects
from assay.web.dashboard_views import project_or_404, requester
from assay.web.pages import signed_in
from assay.web.sessions import CSRF_HEADER, tokens_match

CHANGERS = ("admin", "member")


def can_change(who: Requester) -> bool:
    return who.role in CHANGERS


def project_page_for(request: Request, db: Database,
                     project_id: str) -> tuple[Requester, dict[str, Any]] | Response:
    """The signed-in requester and their project (as the API describes it) for a project's
    page, or the response for anyone else (sign-in, /work, a 404 page)."""
    who = requester(request)
    if isinstance(who, Response):
        return who
    with db.read() as session:
        row = project_or_404(request, session, who, project_id)
        if isinstance(row, Response):
            return row
        return who, projects.describe(session, who, [row])[0]


def changing_member(request: Request, csrf_token: str = "", role: str = "member") -> Requester:
    """The signed-in requester of a JSON call that changes something: a session (an API key
    uses the API instead), the page's CSRF token (the ``X-CSRF-Token`` header or a
    ``csrf_token`` form field) and the role (``member``: admin or member; ``admin``)."""
    signed = signed_in(request)
    if signed is None or not isinstance(signed.principal, Requester):
        raise Unauthorized("sign in as a requester first")
    given = request.headers.get(CSRF_HEADER) or csrf_token
    if not tokens_match(signed.csrf_token, given):
        raise Forbidden("the CSRF token is missing or does not match the session",
                        code="csrf_failed")
    who = signed.principal
    allowed = CHANGERS if role == "member" else ("admin",)
    if who.role not in allowed:
        raise Forbidden(f"a {who.role} cannot do this; it needs the {role} role",
                        code="forbidden_role")
    return who
