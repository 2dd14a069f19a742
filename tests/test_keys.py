"""API keys: created with a name and a role and shown once, listed without the secret,
revoked with immediate effect on every server process sharing the database."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support import Org, ServerProcess


def _bearer(url: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {key}"})


@pytest.fixture(scope="module")
def second_server(db_url: str) -> Iterator[ServerProcess]:
    """Another ``assay serve`` process on the same database."""
    proc = ServerProcess(db_url).start()
    yield proc
    proc.stop()


def test_the_org_create_key_is_an_admin_key(org: Org) -> None:
    with org.http() as http:
        listed = http.get("/v1/org/keys").json()["docs"]
    assert [(k["name"], k["role"], k["revoked_at"]) for k in listed][:1] == [
        ("initial", "admin", None)]
    assert listed[0]["prefix"] == org.api_key[:8]


def test_a_new_key_is_shown_once_and_carries_its_role(org: Org) -> None:
    with org.http() as http:
        created = http.post("/v1/org/keys", json={"name": "ci pipeline", "role": "viewer"})
        assert created.status_code == 201, created.text
        new = created.json()
        listed = http.get("/v1/org/keys")
    assert new["key"].startswith("ak_") and new["prefix"] == new["key"][:8]
    assert new["id"].startswith("key_") and new["role"] == "viewer"
    assert new["name"] == "ci pipeline" and new["revoked_at"] is None
    assert new["key"] not in listed.text  # never again
    shown = next(k for k in listed.json()["docs"] if k["id"] == new["id"])
    assert set(shown) == {"id", "name", "role", "prefix", "created_at", "revoked_at"}
    with _bearer(org.url, new["key"]) as http:
        assert http.get("/v1/projects").status_code == 200
        refused = http.post("/v1/projects", json={"name": "x", "kind": "categorize",
                                                  "params": {"labels": ["a"]}})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden_role"


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "", "role": "member"}, "name"),
    ({"name": "x", "role": "owner"}, "role"),
    ({"role": "member"}, "name"),
    ({"name": "x", "role": "member", "key": "ak_mine"}, "key"),
])
def test_bad_key_bodies_name_the_field(org: Org, body: dict[str, str], field: str) -> None:
    with org.http() as http:
        before = len(http.get("/v1/org/keys").json()["docs"])
        r = http.post("/v1/org/keys", json=body)
        after = len(http.get("/v1/org/keys").json()["docs"])
    assert r.status_code == 422
    assert field in [f["field"] for f in r.json()["error"]["details"]["fields"]]
    assert after == before


def test_a_revoked_key_fails_at_once_on_every_server_process(
        org: Org, second_server: ServerProcess) -> None:
    with org.http() as http:
        new = http.post("/v1/org/keys", json={"name": "leaked", "role": "member"}).json()
    with _bearer(org.url, new["key"]) as a, _bearer(second_server.url, new["key"]) as b:
        # Both processes have just accepted the key (a cache would now hold it).
        assert a.get("/v1/projects").status_code == 200
        assert b.get("/v1/projects").status_code == 200
        with org.http() as http:
            revoked = http.delete(f"/v1/org/keys/{new['id']}")
        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"] is not None
        after_b = b.get("/v1/projects")
        after_a = a.get("/v1/projects")
    assert after_b.status_code == 401, after_b.text
    assert after_a.status_code == 401
    with org.http() as http:
        again = http.delete(f"/v1/org/keys/{new['id']}")  # revoking twice changes nothing
    assert again.status_code == 200 and again.json() == revoked.json()


def test_a_key_that_revokes_itself_is_refused_on_the_other_process(
        org: Org, second_server: ServerProcess) -> None:
    with org.http() as http:
        new = http.post("/v1/org/keys", json={"name": "admin 2", "role": "admin"}).json()
    with _bearer(second_server.url, new["key"]) as b:
        assert b.get("/v1/org/keys").status_code == 200
        with _bearer(org.url, new["key"]) as a:
            assert a.delete(f"/v1/org/keys/{new['id']}").status_code == 200  # itself
        assert b.get("/v1/org/keys").status_code == 401
        assert b.post("/v1/org/keys", json={"name": "n", "role": "admin"}).status_code == 401
