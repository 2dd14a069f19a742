"""The organization's pages, for admins: ``/org/members`` (members and their roles) and
``/org/keys`` (API keys). The lists are rendered here from the same service functions as
``GET /v1/org/members`` and ``GET /v1/org/keys``; the changes are made by
``static/org.js`` through the API itself (``/v1/org/members``, ``/v1/org/keys`` with the
session cookie and its CSRF token), so its rules and field errors are the API's. Anyone
signed in but not an admin gets a 403 page, as the API answers them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from assay.accounts import keys, members
from assay.accounts.service import ROLES, Requester
from assay.db.engine import Database
from assay.http.auth import get_db
from assay.web.dashboard_views import requester
from assay.web.pages import error_page, render

router = APIRouter(include_in_schema=False)

SHOWN = 1000
Lister = Callable[[Session, Requester, str | None, int],
                  tuple[list[dict[str, Any]], list[str]]]


def _admin_page(request: Request, db: Database, template: str, lister: Lister,
                tab: str) -> Response:
    who = requester(request)
    if isinstance(who, Response):
        return who
    if who.role != "admin":
        return error_page(request, 403, "Admins only",
                          "Only an admin of the organization manages its members and keys.")
    with db.read() as session:
        docs, _ = lister(session, who, None, SHOWN)
    return render(request, template, {"docs": docs[:SHOWN], "more": len(docs) > SHOWN,
                                      "roles": ROLES, "tab": tab,
                                      "me": who.user_id})


@router.get("/org/members", response_model=None)
def members_page(request: Request, db: Database = Depends(get_db)) -> Response:
    return _admin_page(request, db, "org_members.html", members.list_members, "members")


@router.get("/org/keys", response_model=None)
def keys_page(request: Request, db: Database = Depends(get_db)) -> Response:
    return _admin_page(request, db, "org_keys.html", keys.list_keys, "keys")
