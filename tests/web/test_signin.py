"""Sign-in, sign-out, session cookies and CSRF, over plain HTTP."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from assay.clock import utcnow
from assay.db.models import WebSession
from tests.support import Org, categorize_project
from tests.web.support import (
    PASSWORD,
    browser_client,
    form_token,
    page_token,
    sign_in,
    signed_in_client,
    user_account,
    worker_account,
)


def _session_cookie(response: httpx.Response) -> str:
    cookies = [v for k, v in response.headers.multi_items()
               if k == "set-cookie" and v.startswith("assay_session=")]
    assert len(cookies) == 1
    return cookies[0]


def test_it_shows_the_login_form_with_a_csrf_token(org: Org) -> None:
    with browser_client(org.url) as http:
        page = http.get("/login")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'name="email"' in page.text and 'name="password"' in page.text
    assert form_token(page.text)
    assert "assay_login_csrf" in page.headers["set-cookie"]


def test_it_signs_a_worker_in_to_work(org: Org) -> None:
    worker = worker_account(org)
    with browser_client(org.url) as http:
        response = sign_in(http, worker.email, worker.password)
        assert response.status_code == 303
        assert response.headers["location"] == "/work"
        cookie = _session_cookie(response).lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
        page = http.get("/work")
    assert page.status_code == 200
    assert "Your work" in page.text


def test_it_signs_a_requester_in_to_the_dashboard(org: Org) -> None:
    user = user_account(org)
    with browser_client(org.url) as http:
        response = sign_in(http, user.email, user.password)
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        assert http.get("/").status_code == 200
        # A requester opening a worker page is sent to the dashboard, and the reverse.
        assert http.get("/work").headers["location"] == "/"


def test_it_answers_the_same_for_an_unknown_account_and_a_wrong_password(org: Org) -> None:
    worker = worker_account(org)
    with browser_client(org.url) as http:
        wrong = sign_in(http, worker.email, "not the password")
        unknown = sign_in(http, "nobody@example.com", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Wrong email or password." in response.text
        assert "assay_session=" not in response.headers.get("set-cookie", "")


def test_it_refuses_a_login_without_its_csrf_token(org: Org) -> None:
    worker = worker_account(org)
    with browser_client(org.url) as http:
        http.get("/login")
        response = http.post("/login", data={"email": worker.email, "password": PASSWORD})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "assay_session=" not in response.headers.get("set-cookie", "")


def test_it_sends_back_to_a_local_page_only(org: Org) -> None:
    worker = worker_account(org)
    with browser_client(org.url) as http:
        assert sign_in(http, worker.email, PASSWORD, "/work/prj_x").headers["location"] \
            == "/work/prj_x"
    with browser_client(org.url) as http:
        assert sign_in(http, worker.email, PASSWORD, "//evil.example/").headers["location"] \
            == "/work"


def test_it_redirects_an_anonymous_visitor_to_login(org: Org) -> None:
    with browser_client(org.url) as http:
        for path in ("/", "/work", "/work/prj_x", "/projects/prj_x"):
            response = http.get(path)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login?next=")


def test_the_cookie_authenticates_the_work_api_with_a_csrf_header(org: Org) -> None:
    project = categorize_project(org)
    org.client.create_task(project["id"], {"text": "hello"})
    worker = worker_account(org)
    with signed_in_client(org.url, worker) as http:
        token = page_token(http.get(f"/work/{project['id']}").text)
        refused = http.post("/v1/work/next", json={"project": project["id"]})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "csrf_failed"
        wrong = http.post("/v1/work/next", json={"project": project["id"]},
                          headers={"X-CSRF-Token": "nope"})
        assert wrong.status_code == 403
        offer = http.post("/v1/work/next", json={"project": project["id"]},
                          headers={"X-CSRF-Token": token})
        assert offer.status_code == 200
        done = http.post(f"/v1/work/{offer.json()['assignment_id']}/submit",
                         json={"answer": {"label": "pos"}}, headers={"X-CSRF-Token": token})
        assert done.status_code == 200
        # Reads need no token.
        assert http.get("/v1/work/me").json()["answers"] == 1


def test_a_bearer_credential_ignores_the_cookie(org: Org) -> None:
    worker = worker_account(org)
    with signed_in_client(org.url, worker) as http:
        # An API key with a worker's cookie: the key decides (a customer route), no CSRF.
        response = http.post("/v1/projects", headers={"Authorization": f"Bearer {org.api_key}"},
                             json={"name": "via key", "kind": "text"})
        assert response.status_code == 201
        # A bad bearer credential is a 401 even though the cookie is valid.
        assert http.post("/v1/work/next", headers={"Authorization": "Bearer wt_nope"},
                         json={}).status_code == 401


def test_a_requester_session_is_not_a_worker(org: Org) -> None:
    user = user_account(org)
    with signed_in_client(org.url, user) as http:
        token = page_token(http.get("/").text)
        response = http.post("/v1/work/next", json={}, headers={"X-CSRF-Token": token})
    assert response.status_code == 401


def test_it_signs_out_with_its_csrf_token(org: Org) -> None:
    worker = worker_account(org)
    with signed_in_client(org.url, worker) as http:
        page = http.get("/work").text
        refused = http.post("/logout", data={})
        assert refused.status_code == 403
        assert http.get("/work").status_code == 200
        out = http.post("/logout", data={"csrf_token": form_token(page)})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert http.get("/work").status_code == 303
        assert http.post("/v1/work/next", json={},
                         headers={"X-CSRF-Token": page_token(page)}).status_code == 401


def test_a_stolen_cookie_stops_working_after_sign_out(org: Org) -> None:
    worker = worker_account(org)
    with signed_in_client(org.url, worker) as http:
        cookie = http.cookies["assay_session"]
        page = http.get("/work").text
        http.post("/logout", data={"csrf_token": form_token(page)})
    with browser_client(org.url) as other:
        other.cookies.set("assay_session", cookie)
        assert other.get("/work").status_code == 303


def test_an_expired_session_is_signed_out(org: Org) -> None:
    worker = worker_account(org)
    with signed_in_client(org.url, worker) as http:
        org.db.write(lambda s: s.execute(
            update(WebSession).where(WebSession.subject_id == worker.subject_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))))
        assert http.get("/work").status_code == 303


def test_the_cookie_is_secure_over_https(org: Org) -> None:
    """Behind a TLS proxy on loopback (uvicorn trusts its X-Forwarded-Proto)."""
    worker = worker_account(org)
    https = {"X-Forwarded-Proto": "https"}
    with browser_client(org.url) as http:
        page = http.get("/login", headers=https)
        assert "secure" in page.headers["set-cookie"].lower()
        # httpx keeps a Secure cookie off plain http: send it as the browser would over TLS.
        login_cookie = "assay_login_csrf=" + page.cookies["assay_login_csrf"]
        response = http.post("/login", headers={**https, "Cookie": login_cookie}, data={
            "email": worker.email, "password": PASSWORD, "csrf_token": form_token(page.text)})
    assert response.status_code == 303
    assert "secure" in _session_cookie(response).lower()
