"""Steps the browser tests share."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.web.support import Account


def sign_in(page: Any, account: Account, password: str | None = None) -> None:
    """Fill the sign-in form (the page must be on /login) and send it."""
    page.fill('input[name="email"]', account.email)
    page.fill('input[name="password"]', password or account.password)
    page.click('form.stack button[type="submit"]')


def open_signed_in(page: Any, account: Account, path: str) -> None:
    page.goto("/login?next=" + path)
    sign_in(page, account)
    page.wait_for_url("**" + path)


def task_ready(page: Any) -> Any:
    """The task area once a task is shown; returns its assignment id."""
    task = page.locator('#task[data-state="ready"]')
    expect(task).to_be_visible()
    return task.get_attribute("data-assignment")


def next_task_ready(page: Any, previous: str) -> str:
    """Wait until a task other than ``previous`` is shown."""
    expect(page.locator("#task")).not_to_have_attribute("data-assignment", previous)
    assignment: str = task_ready(page)
    return assignment


def nothing_left(page: Any) -> None:
    """The queue is empty; the last answer, held for an undo, is sent (as when the worker
    leaves the tab) and the server has every answer."""
    expect(page.locator("#task")).to_have_attribute("data-state", "empty")
    deliver_held(page)


HIDE = """() => {
  for (const [name, value] of [['hidden', true], ['visibilityState', 'hidden']])
    Object.defineProperty(document, name, { value, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
  delete document.hidden;
  delete document.visibilityState;
}"""

ALL_SENT = """() => Object.keys(localStorage).filter((k) => k.startsWith('assay.pending.'))
  .every((k) => Object.keys(JSON.parse(localStorage.getItem(k))).length === 0)"""


def deliver_held(page: Any) -> None:
    """Send the answer the page holds for an undo now, as it does when the tab is hidden,
    and wait until the server has acknowledged every answer the page kept."""
    page.evaluate(HIDE)
    expect(page.locator("#undo")).to_be_hidden()
    page.wait_for_function(ALL_SENT)
