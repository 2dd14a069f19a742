"""Helpers of the web UI tests: accounts with passwords, signing in over plain HTTP."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from assay.accounts import service as accounts
from tests.support import Org

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class Account:
    email: str
    password: str
    subject_id: str


def new_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def worker_account(org: Org, crowd: bool = False) -> Account:
    email = new_email("worker")
    worker_id, _ = org.db.write(lambda s: accounts.create_worker(
        s, email, None if crowd else org.org_id, PASSWORD))
    return Account(email, PASSWORD, worker_id)


def user_account(org: Org, role: str = "member") -> Account:
    email = new_email("user")
    user_id = org.db.write(lambda s: accounts.create_user(s, email, org.org_id, PASSWORD, role))
    return Account(email, PASSWORD, user_id)


def form_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no csrf_token field in the page"
    return match.group(1)


def page_token(html: str) -> str:
    match = _META.search(html)
    assert match, "no csrf-token meta in the page"
    return match.group(1)


def browser_client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, follow_redirects=False)


def sign_in(http: httpx.Client, email: str, password: str, next_path: str = "") -> httpx.Response:
    token = form_token(http.get("/login").text)
    return http.post("/login", data={"email": email, "password": password,
                                     "csrf_token": token, "next": next_path})


@contextmanager
def signed_in_client(url: str, account: Account) -> Iterator[httpx.Client]:
    with browser_client(url) as http:
        response = sign_in(http, account.email, account.password)
        assert response.status_code == 303, response.text
        yield http


def answer_with_new_workers(org: Org, project_id: str, labels: list[str]) -> None:
    """A new worker per label answers the project's next task with it."""
    for label in labels:
        worker = org.worker()
        offer = worker.next(project_id)
        assert offer is not None
        worker.submit(offer["assignment_id"], {"label": label})


def judge_every_battle_longer_wins(org: Org, project_id: str) -> None:
    """One new worker answers every battle of the evaluation's project: the longer reply wins."""
    worker = org.worker()
    while (offer := worker.next(project_id)) is not None:
        a, b = offer["data"]["a"], offer["data"]["b"]
        worker.submit(offer["assignment_id"], {"choice": "a" if len(a) > len(b) else "b"})
