"""The organization's pages for admins (/org/members, /org/keys): over HTTP who may see
them and what they list; in Chromium, an admin adds a member (the API's field error shown
by its field first), creates a key that is shown once and works, and revokes it."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.support import Org
from tests.web.browser import open_signed_in
from tests.web.support import browser_client, new_email, signed_in_client, user_account

XSS = "<script>window.__pwned=1</script>"


def test_only_admins_see_the_members_and_keys_of_their_organization(org: Org,
                                                                    other_org: Org) -> None:
    admin = user_account(org, "admin")
    key_name = "pipeline " + XSS
    made = org.http().post("/v1/org/keys", json={"name": key_name, "role": "viewer"}).json()
    theirs = user_account(other_org, "admin")
    with signed_in_client(org.url, admin) as http:
        members = http.get("/org/members")
        keys = http.get("/org/keys")
        dashboard = http.get("/").text
    assert members.status_code == 200 and keys.status_code == 200
    assert f'<tr data-member="{admin.subject_id}">' in members.text
    assert theirs.email not in members.text and theirs.subject_id not in members.text
    assert f'<tr data-key="{made["id"]}">' in keys.text
    assert f"<code>{made['prefix']}…</code>" in keys.text and made["key"] not in keys.text
    assert "&lt;script&gt;" in keys.text and XSS not in keys.text
    assert 'id="org-link"' in dashboard
    for role in ("member", "viewer"):
        with signed_in_client(org.url, user_account(org, role)) as http:
            refused = [http.get(p) for p in ("/org/members", "/org/keys")]
            dashboard = http.get("/").text
        assert [r.status_code for r in refused] == [403, 403]
        assert all(admin.email not in r.text for r in refused)
        assert 'id="org-link"' not in dashboard
    with browser_client(org.url) as http:
        assert http.get("/org/keys").headers["location"] == "/login?next=/org/keys"


def test_an_admin_adds_a_member_and_creates_and_revokes_a_key(org: Org, page: Any) -> None:
    open_signed_in(page, user_account(org, "admin"), "/org/members")
    email = new_email("added")
    page.fill("#m-email", email)
    page.select_option("#m-role", "viewer")
    page.fill("#m-password", "short")
    page.click('#add-member button[type="submit"]')
    expect(page.locator("#add-member-password-errors")).to_contain_text("8 characters")
    expect(page.locator("#m-password")).to_have_attribute("aria-invalid", "true")
    page.fill("#m-password", "a good long password")
    page.click('#add-member button[type="submit"]')
    expect(page.locator("#org-status")).to_have_text(f"{email} was added as viewer.")
    row = page.locator("#members tr", has_text=email)
    expect(row.locator("select.member-role")).to_have_value("viewer")
    listed = org.http().get("/v1/org/members").json()["docs"]
    assert [m["role"] for m in listed if m["email"] == email] == ["viewer"]

    page.click('nav.tabs a[href="/org/keys"]')
    page.fill("#k-name", "ingest")
    page.click('#add-key button[type="submit"]')
    expect(page.locator("#new-key")).to_be_visible()
    key = page.locator("#new-key-value").inner_text()
    with httpx.Client(base_url=org.url, headers={"Authorization": f"Bearer {key}"}) as api:
        assert api.get("/v1/projects").status_code == 200
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("#keys tr", has_text="ingest").locator("button.key-revoke").click()
        expect(page.locator("#org-status")).to_have_text('The key "ingest" is revoked.')
        assert api.get("/v1/projects").status_code == 401
