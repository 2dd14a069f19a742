"""The server-rendered pages: what they show, to whom, and their security headers."""

from __future__ import annotations

import re

import httpx

from tests.support import Org, categorize_project
from tests.web.support import browser_client, signed_in_client, user_account, worker_account

XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


def _assert_safe_headers(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and script_src.group(1).strip() == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"


def test_every_page_has_a_content_security_policy(org: Org, other_org: Org) -> None:
    project = categorize_project(org)
    with browser_client(org.url) as http:
        _assert_safe_headers(http.get("/login"))
    with signed_in_client(org.url, user_account(org)) as http:
        for path in ("/", f"/projects/{project['id']}", "/projects/prj_missing"):
            _assert_safe_headers(http.get(path))
    with signed_in_client(org.url, worker_account(org)) as http:
        for path in ("/work", f"/work/{project['id']}", "/work/prj_missing"):
            _assert_safe_headers(http.get(path))


def test_pages_load_no_inline_script(org: Org) -> None:
    project = categorize_project(org)
    with signed_in_client(org.url, worker_account(org)) as http:
        html = http.get(f"/work/{project['id']}").text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts, "the labeling page loads its module"
    for attrs, body in scripts:
        assert body.strip() == ""
        assert 'src="/static/' in attrs


def test_static_modules_are_served_as_javascript(org: Org) -> None:
    with browser_client(org.url) as http:
        for name in ("label.js", "widgets.js", "api.js"):
            response = http.get(f"/static/{name}")
            assert response.status_code == 200
            assert "javascript" in response.headers["content-type"]
            assert response.headers["x-content-type-options"] == "nosniff"
        assert http.get("/static/app.css").headers["content-type"].startswith("text/css")


def test_the_dashboard_shows_projects_with_counts(org: Org) -> None:
    project = categorize_project(org, name="dash " + XSS)
    org.client.create_tasks(project["id"], [{"data": {"text": str(i)}} for i in range(3)])
    with signed_in_client(org.url, user_account(org)) as http:
        html = http.get("/").text
    row = re.search(rf'<tr data-project="{project["id"]}">(.*?)</tr>', html, re.S)
    assert row is not None
    assert re.search(r'data-status="pending">3<', row.group(1))
    assert "<script>window.__pwned" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html


def test_the_project_page_lists_tasks_by_status(org: Org) -> None:
    project = categorize_project(org, instructions="# Do it\n\n" + XSS)
    created = org.client.create_task(project["id"], {"text": XSS})
    second = org.client.create_task(project["id"], {"text": "two"})
    org.client.cancel_task(second["id"])
    with signed_in_client(org.url, user_account(org)) as http:
        html = http.get(f"/projects/{project['id']}").text
        canceled = http.get(f"/projects/{project['id']}?status=canceled").text
    assert f'data-task="{created["id"]}"' in html and f'data-task="{second["id"]}"' in html
    assert "<h1>Do it</h1>" in html  # Markdown, rendered
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    assert f'data-task="{second["id"]}"' in canceled
    assert f'data-task="{created["id"]}"' not in canceled


def test_a_requester_sees_no_other_organizations_project(org: Org, other_org: Org) -> None:
    theirs = categorize_project(other_org, name="secret project")
    with signed_in_client(org.url, user_account(org)) as http:
        response = http.get(f"/projects/{theirs['id']}")
        dashboard = http.get("/").text
    assert response.status_code == 404
    assert "secret project" not in response.text and "secret project" not in dashboard


def test_a_worker_sees_the_projects_they_may_work_on(org: Org, other_org: Org) -> None:
    mine = categorize_project(org, name="team project")
    theirs = categorize_project(other_org, name="other team project")
    crowd = categorize_project(other_org, name="crowd project", workforce="crowd")
    with signed_in_client(org.url, worker_account(org)) as http:
        listing = http.get("/work").text
        assert http.get(f"/work/{mine['id']}").status_code == 200
        assert http.get(f"/work/{theirs['id']}").status_code == 404
        assert http.get(f"/work/{crowd['id']}").status_code == 404
    assert "team project" in listing and "other team project" not in listing
    with signed_in_client(org.url, worker_account(org, crowd=True)) as http:
        listing = http.get("/work").text
        assert http.get(f"/work/{crowd['id']}").status_code == 200
        assert http.get(f"/work/{mine['id']}").status_code == 404
    assert "crowd project" in listing and "team project" not in listing


def test_the_labeling_page_renders_instructions_safely(org: Org) -> None:
    project = categorize_project(org, instructions="**Bold** [x](javascript:alert(1))\n\n" + XSS)
    with signed_in_client(org.url, worker_account(org)) as http:
        html = http.get(f"/work/{project['id']}").text
    assert "<strong>Bold</strong>" in html
    assert 'href="javascript:' not in html
    assert "<script>window.__pwned" not in html and "<img src=x" not in html


def test_a_browser_gets_an_html_page_for_an_unknown_address_and_the_api_keeps_json(
        org: Org) -> None:
    html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = httpx.get(org.url + "/no/such/page", headers=html)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text and "content-security-policy" in page.headers
    plain = httpx.get(org.url + "/no/such/page")
    assert plain.status_code == 404 and plain.json()["error"]["code"] == "not_found"
    api = httpx.get(org.url + "/v1/no-such-route", headers=html)
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    wrong_method = httpx.delete(org.url + "/v1/projects", headers=html)
    assert wrong_method.status_code == 405 and "error" in wrong_method.json()
