"""Members: added with a role, changed, removed; the last admin member stays (also when two
admins demote each other at the same moment); sessions end with the member; a member
changes their own password and their other sessions end."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx

from assay.accounts import members
from assay.accounts.service import Requester
from tests.support import Org, make_org
from tests.web.support import PASSWORD, Account, page_token, sign_in, signed_in_client


def _email() -> str:
    return f"m-{uuid.uuid4().hex[:10]}@example.com"


def _add(http: httpx.Client, role: str, password: str | None = PASSWORD) -> Account:
    email = _email()
    body: dict[str, Any] = {"email": email, "role": role}
    if password is not None:
        body["password"] = password
    r = http.post("/v1/org/members", json=body)
    assert r.status_code == 201, r.text
    return Account(email, PASSWORD, r.json()["user_id"])


def _fresh_org(org: Org) -> Org:
    """An organization of its own, so that counting admins is this test's alone."""
    return make_org(org.url, org.db, "Members")


def test_members_are_added_listed_changed_and_removed(org: Org) -> None:
    mine = _fresh_org(org)
    with mine.http() as http:
        r = http.post("/v1/org/members", json={"email": " Ada@Example.com ", "role": "viewer",
                                               "password": PASSWORD})
        assert r.status_code == 201, r.text
        ada = r.json()
        assert ada["user_id"].startswith("usr_") and ada["email"] == "ada@example.com"
        assert ada["role"] == "viewer" and ada["created_at"].endswith("Z")
        assert set(ada) == {"user_id", "email", "role", "created_at"}
        listed = http.get("/v1/org/members").json()
        assert listed == {"docs": [ada], "next_token": None}
        changed = http.patch(f"/v1/org/members/{ada['user_id']}", json={"role": "member"})
        assert changed.status_code == 200 and changed.json()["role"] == "member"
        duplicate = http.post("/v1/org/members", json={"email": "ada@example.com",
                                                       "role": "admin"})
        assert (duplicate.status_code, duplicate.json()["error"]["code"]) == (
            409, "duplicate_email")
        removed = http.delete(f"/v1/org/members/{ada['user_id']}")
        assert removed.status_code == 200 and removed.json()["user_id"] == ada["user_id"]
        assert http.get("/v1/org/members").json()["docs"] == []
        gone = http.delete(f"/v1/org/members/{ada['user_id']}")
        assert gone.status_code == 404


def test_bad_member_bodies_name_the_field_and_write_nothing(org: Org) -> None:
    mine = _fresh_org(org)
    cases = [({"email": "not an email", "role": "member"}, "email"),
             ({"email": _email(), "role": "owner"}, "role"),
             ({"email": _email(), "role": "member", "password": "short"}, "password"),
             ({"email": _email()}, "role"),
             ({"email": _email(), "role": "member", "admin": True}, "admin")]
    with mine.http() as http:
        for body, field in cases:
            r = http.post("/v1/org/members", json=body)
            assert r.status_code == 422, (body, r.text)
            assert field in [f["field"] for f in r.json()["error"]["details"]["fields"]], r.text
        assert http.get("/v1/org/members").json()["docs"] == []
        member = _add(http, "member")
        r = http.patch(f"/v1/org/members/{member.subject_id}", json={"role": "root"})
        assert r.status_code == 422
        assert http.get("/v1/org/members").json()["docs"][0]["role"] == "member"


def test_the_last_admin_member_cannot_be_removed_or_demoted(org: Org) -> None:
    mine = _fresh_org(org)
    with mine.http() as http:
        first = _add(http, "admin")
        for attempt in (http.delete(f"/v1/org/members/{first.subject_id}"),
                        http.patch(f"/v1/org/members/{first.subject_id}",
                                   json={"role": "viewer"})):
            assert attempt.status_code == 409, attempt.text
            assert attempt.json()["error"]["code"] == "last_admin"
        second = _add(http, "admin")
        assert http.patch(f"/v1/org/members/{first.subject_id}",
                          json={"role": "member"}).status_code == 200
        assert http.delete(f"/v1/org/members/{second.subject_id}").status_code == 409
        roles = {m["user_id"]: m["role"] for m in http.get("/v1/org/members").json()["docs"]}
    assert roles == {first.subject_id: "member", second.subject_id: "admin"}


def test_two_admins_demoting_each_other_at_once_leave_one_admin(org: Org) -> None:
    """Each admin, signed in, demotes the other from their own thread at the same moment:
    exactly one succeeds, on every round."""
    for _ in range(4):
        mine = _fresh_org(org)
        with mine.http() as http:
            a, b = _add(http, "admin"), _add(http, "admin")
        barrier = threading.Barrier(2)
        results: dict[str, int] = {}

        def demote(me: Account, other: Account, results: dict[str, int] = results,
                   barrier: threading.Barrier = barrier, url: str = mine.url) -> None:
            with signed_in_client(url, me) as http:
                csrf = page_token(http.get("/").text)
                barrier.wait()
                r = http.patch(f"/v1/org/members/{other.subject_id}", json={"role": "member"},
                               headers={"X-CSRF-Token": csrf})
                results[me.subject_id] = r.status_code

        threads = [threading.Thread(target=demote, args=(a, b)),
                   threading.Thread(target=demote, args=(b, a))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(results.values()) in ([200, 403], [200, 409]), results
        with mine.http() as http:
            roles = [m["role"] for m in http.get("/v1/org/members").json()["docs"]]
        assert sorted(roles) == ["admin", "member"]


def test_the_organization_lock_makes_the_second_demotion_wait_and_see(org: Org) -> None:
    """In the service: while one transaction has demoted an admin and not yet committed,
    another demotion waits for it and then finds the last admin (without the lock it would
    count two admins and succeed, leaving none)."""
    mine = _fresh_org(org)
    with mine.http() as http:
        a, b = _add(http, "admin"), _add(http, "admin")
    who = Requester(org_id=mine.org_id, key_id="key_test", role="admin")
    first_in = threading.Event()
    second_done = threading.Event()
    outcome: dict[str, Any] = {}

    def first() -> None:
        def run(session: Any) -> None:
            members.update_member(session, who, a.subject_id, "member", None)
            first_in.set()
            # Hold the transaction open: the second demotion finishes first only if
            # nothing makes it wait (it cannot, while we hold the lock).
            second_done.wait(1.0)
        mine.db.write(run)

    def second() -> None:
        first_in.wait(10)
        try:
            mine.db.write(lambda s: members.update_member(s, who, b.subject_id, "member", None))
            outcome["second"] = "demoted"
        except Exception as exc:  # the domain error is the expected outcome
            outcome["second"] = type(exc).__name__
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcome == {"second": "Conflict"}


def test_a_removed_member_is_signed_out_at_once(org: Org) -> None:
    mine = _fresh_org(org)
    with mine.http() as admin:
        member = _add(admin, "member")
        with signed_in_client(mine.url, member) as browser:
            assert browser.get("/v1/projects").status_code == 200
            assert admin.delete(f"/v1/org/members/{member.subject_id}").status_code == 200
            assert browser.get("/v1/projects").status_code == 401
            assert browser.get("/").status_code == 303  # to the sign-in page


def test_a_demoted_member_loses_the_role_on_the_next_request(org: Org) -> None:
    mine = _fresh_org(org)
    with mine.http() as admin:
        member = _add(admin, "member")
        with signed_in_client(mine.url, member) as browser:
            csrf = {"X-CSRF-Token": page_token(browser.get("/").text)}
            body = {"name": "p", "kind": "categorize", "params": {"labels": ["a", "b"]}}
            assert browser.post("/v1/projects", json=body, headers=csrf).status_code == 201
            admin.patch(f"/v1/org/members/{member.subject_id}", json={"role": "viewer"})
            refused = browser.post("/v1/projects", json=body, headers=csrf)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden_role")


def test_a_member_changes_their_password_and_their_other_sessions_end(org: Org) -> None:
    mine = _fresh_org(org)
    with mine.http() as admin:
        member = _add(admin, "viewer")
        key_attempt = admin.post("/v1/me/password", json={"current_password": PASSWORD,
                                                          "new_password": "x" * 12})
    assert (key_attempt.status_code, key_attempt.json()["error"]["code"]) == (
        403, "user_required")
    new = "a brand new passphrase"
    with signed_in_client(mine.url, member) as here, signed_in_client(mine.url, member) as there:
        csrf = {"X-CSRF-Token": page_token(here.get("/").text)}
        wrong = here.post("/v1/me/password", headers=csrf,
                          json={"current_password": "not it at all", "new_password": new})
        assert wrong.status_code == 422
        assert wrong.json()["error"]["details"]["fields"][0]["field"] == "current_password"
        short = here.post("/v1/me/password", headers=csrf,
                          json={"current_password": PASSWORD, "new_password": "short"})
        assert short.status_code == 422
        assert there.get("/v1/projects").status_code == 200  # nothing changed yet
        done = here.post("/v1/me/password", headers=csrf,
                         json={"current_password": PASSWORD, "new_password": new})
        assert done.status_code == 200, done.text
        assert here.get("/v1/projects").status_code == 200  # this session stays
        assert there.get("/v1/projects").status_code == 401  # the other one ended
    with signed_in_client(mine.url, Account(member.email, new, member.subject_id)) as again:
        assert again.get("/v1/projects").status_code == 200
    with httpx.Client(base_url=mine.url) as anon:
        assert sign_in(anon, member.email, PASSWORD).status_code != 303


def test_a_password_an_admin_sets_ends_the_members_sessions(org: Org) -> None:
    mine = _fresh_org(org)
    with mine.http() as admin:
        member = _add(admin, "member", password=None)
        set_ = admin.patch(f"/v1/org/members/{member.subject_id}",
                           json={"password": PASSWORD})
        assert set_.status_code == 200
        with signed_in_client(mine.url, member) as browser:
            assert browser.get("/v1/projects").status_code == 200
            admin.patch(f"/v1/org/members/{member.subject_id}",
                        json={"password": "reset by the admin"})
            assert browser.get("/v1/projects").status_code == 401


def test_guesses_of_the_current_password_are_throttled_like_sign_ins(org: Org) -> None:
    """A stolen session cannot guess the password faster than the sign-in page allows: each
    change counts against the account's sign-in limits (10 a minute by default), a right
    password takes its own try back, and past the limit even the right one waits."""
    mine = _fresh_org(org)
    with mine.http() as admin:
        member = _add(admin, "viewer")
    with signed_in_client(mine.url, member) as here:
        csrf = {"X-CSRF-Token": page_token(here.get("/").text)}
        right = here.post("/v1/me/password", headers=csrf,
                          json={"current_password": PASSWORD, "new_password": "short"})
        assert right.status_code == 422  # a right password: its try is taken back
        assert right.json()["error"]["details"]["fields"][0]["field"] == "new_password"
        codes = [here.post("/v1/me/password", headers=csrf,
                           json={"current_password": f"guess {i}", "new_password": "x" * 12}
                           ).status_code for i in range(10)]
        assert codes == [422] * 10
        refused = here.post("/v1/me/password", headers=csrf,
                            json={"current_password": PASSWORD, "new_password": "x" * 12})
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        assert here.get("/v1/projects").status_code == 200  # the session itself goes on
    with httpx.Client(base_url=mine.url) as anon:  # the same account's sign-ins wait too
        assert sign_in(anon, member.email, PASSWORD).status_code == 429
