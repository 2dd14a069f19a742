"""Rendering of the web UI's pages: Jinja2 templates (autoescaped), safe Markdown, and the
redirects and error pages the views share."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from assay import __version__
from assay.web.sessions import SignedIn, tokens_match

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates
    from markdown_it import MarkdownIt

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"


# Jinja2 and markdown-it are loaded with the first page, not at a server's start.
@cache
def templates() -> Jinja2Templates:
    from fastapi.templating import Jinja2Templates

    loaded = Jinja2Templates(directory=str(HERE / "templates"))
    loaded.env.filters["when"] = when
    loaded.env.filters["markdown"] = markdown
    return loaded


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # Raw HTML in Markdown is shown as text, and links with javascript:, vbscript: or file:
    # targets are not made into links (markdown-it's validateLink).
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def when(iso: str | None) -> str:
    """An ISO 8601 UTC instant as ``2026-11-24 09:27 UTC`` for people."""
    if not iso:
        return ""
    day, _, rest = iso.partition("T")
    return f"{day} {rest[:5]} UTC" if rest else day


def markdown(text: str | None) -> Markup:
    return Markup(_markdown().render(text or ""))


def short_json(value: Any, limit: int = 160) -> str:
    """A JSON value as one line of text for a table cell, cut at ``limit`` characters."""
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def signed_in(request: Request) -> SignedIn | None:
    signed = getattr(request.state, "web_session", None)
    return signed if isinstance(signed, SignedIn) else None


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status: int = 200) -> HTMLResponse:
    signed = signed_in(request)
    ctx = {"signed": signed, "csrf_token": signed.csrf_token if signed else "",
           "version": __version__, **(context or {})}
    response: HTMLResponse = templates().TemplateResponse(request, name, ctx, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", {"title": title, "message": message}, status)


def refuse_foreign_form(request: Request, csrf_token: str) -> HTMLResponse | None:
    """The error page for a form post whose CSRF token is not the session's, else None."""
    signed = signed_in(request)
    if signed is not None and tokens_match(signed.csrf_token, csrf_token):
        return None
    return error_page(request, 403, "Form expired",
                      "This form was not sent from this site's pages. Reload the page and "
                      "try again.")


def safe_next(target: str | None) -> str | None:
    """A post-sign-in destination on this site only (no ``//host`` or ``scheme:``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target


def to_login(request: Request) -> RedirectResponse:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return RedirectResponse("/login?next=" + quote(path, safe="/"), status_code=303)


def landing(signed: SignedIn) -> str:
    return "/work" if signed.is_worker else "/"
