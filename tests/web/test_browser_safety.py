"""In real headless Chromium: bad credentials, an answer kept across an ended session,
task data that tries to run script, the security headers, and the requester's pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import delete

from assay.db.models import WebSession
from tests.support import Org, categorize_project
from tests.web.browser import nothing_left, open_signed_in, sign_in, task_ready
from tests.web.support import user_account, worker_account

Shot = Callable[[str], Path]
PAYLOAD = ('<script>window.__pwned = 1</script>'
           '<img src="/static/missing.png" onerror="window.__pwned = 2">')


def test_a_bad_password_shows_the_message(org: Org, page: Any, screenshot: Shot) -> None:
    worker = worker_account(org)
    page.goto("/login")
    sign_in(page, worker, password="not the password")
    expect(page.locator("#login-error")).to_have_text("Wrong email or password.")
    expect(page.locator('input[name="email"]')).to_have_value(worker.email)
    screenshot("login-error")
    sign_in(page, worker)
    page.wait_for_url("**/work")


def test_an_answer_survives_an_ended_session(org: Org, page: Any, screenshot: Shot) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": "keep me"})
    worker = worker_account(org)
    path = f"/work/{project['id']}"
    open_signed_in(page, worker, path)
    task_ready(page)
    # The session ends on the server (expired, or signed out elsewhere) while the task is open.
    org.db.write(lambda s: s.execute(
        delete(WebSession).where(WebSession.subject_id == worker.subject_id)))
    page.keyboard.press("1")
    page.wait_for_url("**/login?next=*")
    kept = page.evaluate(f"localStorage.getItem('assay.pending.{worker.subject_id}')")
    assert '"label":"pos"' in kept
    assert org.client.get_task(task["id"], include_responses=True)["responses"] == []
    screenshot("login-after-expiry")
    sign_in(page, worker)
    page.wait_for_url("**" + path)
    expect(page.locator("#status")).to_have_text("Sent 1 kept answer.")
    nothing_left(page)
    responses = org.client.get_task(task["id"], include_responses=True)["responses"]
    assert [r["answer"] for r in responses] == [{"label": "pos"}]
    assert page.evaluate(f"localStorage.getItem('assay.pending.{worker.subject_id}')") == "{}"


def test_script_in_task_data_does_not_run(org: Org, page: Any, screenshot: Shot) -> None:
    project = categorize_project(org, name="xss " + PAYLOAD, instructions=PAYLOAD,
                                 params={"labels": [PAYLOAD, "fine"]})
    task = org.client.create_task(project["id"], {"text": PAYLOAD, "html": PAYLOAD})
    compare = org.client.create_project(name="xss compare", kind="compare")
    org.client.create_task(compare["id"], {"prompt": PAYLOAD, "a": PAYLOAD, "b": {"x": PAYLOAD}})
    worker = worker_account(org)
    open_signed_in(page, worker, f"/work/{project['id']}")
    task_ready(page)
    expect(page.locator("#task .text")).to_have_text(PAYLOAD)
    expect(page.locator('#task tr[data-field="html"] td')).to_have_text(PAYLOAD)
    expect(page.locator(".choice").first).to_contain_text(PAYLOAD)
    page.keyboard.press("i")
    expect(page.locator("#instructions .markdown")).to_contain_text("<script>")
    page.keyboard.press("Escape")
    screenshot("label-xss")
    assert page.locator("#main script, #main img, dialog script, dialog img").count() == 0
    assert page.evaluate("window.__pwned") is None
    page.keyboard.press("1")
    nothing_left(page)
    answers = org.client.get_task(task["id"], include_responses=True)["responses"]
    assert answers[0]["answer"] == {"label": PAYLOAD}
    page.goto(f"/work/{compare['id']}")
    task_ready(page)
    expect(page.locator('.side[data-side="a"] .text')).to_have_text(PAYLOAD)
    assert page.locator("#main script, #main img").count() == 0
    page.goto("/work")
    expect(page.locator("#projects")).to_contain_text("xss <script>")
    assert page.evaluate("window.__pwned") is None


def test_pages_carry_the_security_headers(org: Org, page: Any,
                                          page_problems: list[str]) -> None:
    response = page.goto("/login")
    assert response is not None
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    # An inline script on the page would be refused by the browser itself.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        blocked = page.evaluate("""() => new Promise((resolve) => {
            document.addEventListener('securitypolicyviolation',
                                      (e) => resolve(e.violatedDirective), {once: true});
            const s = document.createElement('script');
            s.textContent = 'window.__inline = 1';
            document.body.append(s);
        })""")
    assert blocked.startswith("script-src")
    assert page.evaluate("window.__inline") is None
    assert len(page_problems) == 1 and "Content Security Policy" in page_problems[0]
    page_problems.clear()


def test_a_requester_sees_progress_on_the_dashboard(org: Org, page: Any,
                                                    screenshot: Shot) -> None:
    project = categorize_project(org, name="Dashboard project")
    tasks = org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}"}}
                                                    for i in range(4)])
    assert tasks["created"] == 4
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    open_signed_in(page, user_account(org), "/")
    row = page.locator(f'tr[data-project="{project["id"]}"]')
    expect(row.locator('[data-status="completed"]')).to_have_text("1")
    expect(row.locator('[data-status="pending"]')).to_have_text("3")
    screenshot("dashboard")
    row.locator("a").click()
    page.wait_for_url(f"**/projects/{project['id']}")
    expect(page.locator("#tasks tbody tr")).to_have_count(4)
    screenshot("project")
    page.locator('#counts [data-status="completed"] a').click()
    expect(page.locator("#tasks tbody tr")).to_have_count(1)
    expect(page.locator("#tasks tbody tr")).to_contain_text('"pos"')
