"""Sign-in and sign-out: ``/login`` (form fields ``email`` and ``password``) and ``/logout``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from assay.accounts import service as accounts
from assay.accounts import throttle
from assay.db.engine import Database
from assay.http.auth import get_db
from assay.web.pages import error_page, landing, render, safe_next, signed_in
from assay.web.sessions import (
    COOKIE,
    LIFETIME,
    LOGIN_CSRF_COOKIE,
    SignedIn,
    end_session,
    new_token,
    start_session,
    tokens_match,
)

router = APIRouter(include_in_schema=False)

BAD_CREDENTIALS = "Wrong email or password."
THROTTLED = "Too many failed sign-ins. Try again in {seconds} seconds."
_LOGIN_FORM_S = 3600


def _login_form(request: Request, next_path: str | None, email: str = "",
                message: str | None = None, status: int = 200) -> HTMLResponse:
    token = new_token()
    response = render(request, "login.html", {
        "login_csrf": token, "next": next_path or "", "email": email, "message": message,
    }, status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=_LOGIN_FORM_S, path="/login",
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


@router.get("/login", response_model=None)
def login_page(request: Request, next: str | None = None) -> Response:
    signed = signed_in(request)
    if signed is not None:
        return RedirectResponse(safe_next(next) or landing(signed), status_code=303)
    return _login_form(request, safe_next(next))


@router.post("/login", response_model=None)
def login(request: Request, email: str = Form(""), password: str = Form(""),
          csrf_token: str = Form(""), next: str = Form(""),
          db: Database = Depends(get_db)) -> Response:
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return error_page(request, 403, "Sign-in form expired",
                          "This sign-in form has expired or was not sent from this site. "
                          "Reload the page and sign in again.")
    settings, now = request.app.state.settings, request.app.state.clock.now()
    attempt = db.write(lambda s: throttle.begin_attempt(
        s, email, request.client.host if request.client else "", now,
        settings.signin_account_limits, settings.signin_address_limits))
    if isinstance(attempt, throttle.Throttled):
        refused = _login_form(request, safe_next(next), email=email, status=429,
                              message=THROTTLED.format(seconds=attempt.retry_after))
        refused.headers["Retry-After"] = str(attempt.retry_after)
        return refused
    with db.read() as session:
        principal = accounts.authenticate_password(session, email, password)
    if principal is None:
        return _login_form(request, safe_next(next), email=email, message=BAD_CREDENTIALS,
                           status=401)
    old = request.cookies.get(COOKIE)
    counted = attempt

    def sign_in(session: Session) -> tuple[str, SignedIn]:
        throttle.succeeded(session, counted)
        if old:  # a new session on every sign-in: no fixation of an old cookie
            end_session(session, old)
        return start_session(session, principal, now)

    token, signed = db.write(sign_in)
    response = RedirectResponse(safe_next(next) or landing(signed), status_code=303)
    response.set_cookie(COOKIE, token, max_age=int(LIFETIME.total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", response_model=None)
def logout(request: Request, csrf_token: str = Form(""),
           db: Database = Depends(get_db)) -> Response:
    signed = signed_in(request)
    token = request.cookies.get(COOKIE)
    if signed is not None:
        if not tokens_match(signed.csrf_token, csrf_token):
            return error_page(request, 403, "Sign-out refused",
                              "This sign-out form was not sent from this site's pages.")
        if token:
            db.write(lambda s: end_session(s, token))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
    return response

