"""Every route, enumerated from the OpenAPI document (and the web UI's POST routes from the
app), asks for the role its row in ``ROLE_OF`` names, and each role gets exactly that:
a viewer reads but changes and exports nothing, a member does everything but administer
the organization, an admin passes every role check.

A route without a row fails :func:`test_every_route_has_a_row`: add one."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from assay.app import create_app
from assay.settings import Settings
from tests.support import Org, categorize_project
from tests.web.support import page_token, signed_in_client, user_account

# What each route needs: "read" (any role), "member" (member or admin: changes and
# exports), "admin" (the organization's administration), "worker" (a worker's token or
# session; no key passes), "user" (a signed-in member of any role, not a key), "public".
ROLE_OF: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "public",
    ("GET", "/readyz"): "public",
    ("GET", "/metrics"): "public",
    ("POST", "/v1/projects"): "member",
    ("GET", "/v1/projects"): "read",
    ("GET", "/v1/projects/{project_id}"): "read",
    ("PATCH", "/v1/projects/{project_id}"): "member",
    ("POST", "/v1/tasks"): "member",
    ("GET", "/v1/tasks"): "read",
    ("POST", "/v1/tasks/bulk"): "member",
    ("GET", "/v1/tasks/{task_id}"): "read",
    ("PATCH", "/v1/tasks/{task_id}"): "member",
    ("POST", "/v1/tasks/{task_id}/cancel"): "member",
    ("POST", "/v1/tasks/{task_id}/audit"): "member",
    ("POST", "/v1/batches"): "member",
    ("GET", "/v1/batches/{batch_id}"): "read",
    ("POST", "/v1/batches/{batch_id}/finalize"): "member",
    ("POST", "/v1/batches/{batch_id}/pause"): "member",
    ("POST", "/v1/batches/{batch_id}/resume"): "member",
    ("POST", "/v1/batches/{batch_id}/cancel"): "member",
    ("GET", "/v1/projects/{project_id}/export"): "member",
    ("POST", "/v1/projects/{project_id}/generate"): "member",
    ("GET", "/v1/projects/{project_id}/synthetic"): "read",
    ("POST", "/v1/projects/{project_id}/gold"): "member",
    ("GET", "/v1/projects/{project_id}/gold"): "read",
    ("POST", "/v1/projects/{project_id}/training"): "member",
    ("GET", "/v1/projects/{project_id}/training"): "read",
    ("POST", "/v1/projects/{project_id}/gold/{gold_id}/retire"): "member",
    ("GET", "/v1/projects/{project_id}/workers"): "read",
    ("POST", "/v1/projects/{project_id}/workers/{worker_id}/pause"): "member",
    ("POST", "/v1/projects/{project_id}/workers/{worker_id}/resume"): "member",
    ("POST", "/v1/projects/{project_id}/workers/{worker_id}/appeal"): "member",
    ("GET", "/v1/projects/{project_id}/quality"): "read",
    ("GET", "/v1/projects/{project_id}/flags"): "read",
    ("POST", "/v1/projects/{project_id}/reviewers"): "member",
    ("POST", "/v1/projects/{project_id}/bonuses"): "member",
    ("POST", "/v1/payouts"): "member",
    ("GET", "/v1/payouts"): "read",
    ("GET", "/v1/payouts/{payout_id}"): "read",
    ("GET", "/v1/projects/{project_id}/cost"): "read",
    ("GET", "/v1/org/members"): "admin",
    ("POST", "/v1/org/members"): "admin",
    ("PATCH", "/v1/org/members/{member_id}"): "admin",
    ("DELETE", "/v1/org/members/{member_id}"): "admin",
    ("GET", "/v1/org/keys"): "admin",
    ("POST", "/v1/org/keys"): "admin",
    ("DELETE", "/v1/org/keys/{key_id}"): "admin",
    ("POST", "/v1/org/webhook_secret/rotate"): "admin",
    ("POST", "/v1/me/password"): "user",
    ("POST", "/v1/work/next"): "worker",
    ("POST", "/v1/work/{assignment_id}/submit"): "worker",
    ("POST", "/v1/work/{assignment_id}/skip"): "worker",
    ("POST", "/v1/work/{assignment_id}/generate"): "worker",
    ("GET", "/v1/work/me"): "worker",
    ("POST", "/v1/review/next"): "worker",
    ("POST", "/v1/review/{task_id}"): "worker",
    ("GET", "/v1/work/review/{task_id}/candidates"): "worker",
    ("GET", "/v1/work/feedback"): "worker",
    ("GET", "/v1/work/appeals"): "worker",
    ("POST", "/v1/work/appeals"): "worker",
    ("GET", "/v1/work/standing"): "worker",
    ("POST", "/v1/models"): "member",
    ("GET", "/v1/models"): "read",
    ("GET", "/v1/models/{model_id}"): "read",
    ("PATCH", "/v1/models/{model_id}"): "member",
    ("DELETE", "/v1/models/{model_id}"): "member",
    ("POST", "/v1/models/{model_id}/test"): "member",
    ("GET", "/v1/models/{model_id}/usage"): "read",
    ("POST", "/v1/evaluations"): "member",
    ("GET", "/v1/evaluations"): "read",
    ("GET", "/v1/evaluations/{evaluation_id}"): "read",
    ("GET", "/v1/evaluations/{evaluation_id}/leaderboard"): "read",
    ("GET", "/v1/evaluations/{evaluation_id}/battles"): "member",
    ("POST", "/v1/evaluations/{evaluation_id}/retry"): "member",
    ("GET", "/v1/callbacks"): "read",
    ("POST", "/v1/callbacks/{callback_id}/redeliver"): "member",
    ("GET", "/v1/projects/{project_id}/duplicates"): "read",
    ("POST", "/v1/projects/{project_id}/duplicates/cancel"): "member",
    ("POST", "/v1/projects/{project_id}/predictions"): "member",
    ("GET", "/v1/projects/{project_id}/suspects"): "read",
    ("GET", "/v1/tasks/search"): "read",
    ("POST", "/v1/projects/{project_id}/order"): "member",
    ("POST", "/v1/projects/{project_id}/suspects/review"): "member",
    # Announced by API.md part two and being built now: rows ready for them.
    ("DELETE", "/v1/tasks/{task_id}"): "admin",
    ("DELETE", "/v1/projects/{project_id}"): "admin",
    ("PATCH", "/v1/org/workers/{worker_id}"): "admin",
    ("GET", "/v1/audit"): "admin",
}
ANNOUNCED = {("DELETE", "/v1/tasks/{task_id}"), ("DELETE", "/v1/projects/{project_id}"),
             ("PATCH", "/v1/org/workers/{worker_id}"), ("GET", "/v1/audit")}

# The web UI's POST routes (not in the OpenAPI document), with the same meanings plus
# "session" (whoever is signed in).
WEB_POST_ROLE_OF = {
    "/login": "public",
    "/logout": "session",
    "/projects/new": "member",
    "/projects/{project_id}/import": "member",
    "/projects/{project_id}/settings": "member",
    "/projects/{project_id}/gold/import": "member",
    "/work/{project_id}/appeal": "worker",
}

ROLES = ("viewer", "member", "admin")

# Required query parameters of a read (the project is filled in from the real ids).
QUERY_OF: dict[str, dict[str, str]] = {"/v1/tasks/search": {"q": "x"}}


def _spec_routes(url: str) -> list[tuple[str, str]]:
    spec = httpx.get(url + "/openapi.json").json()
    return [(m.upper(), p) for p, ops in spec["paths"].items() for m in ops]


def _web_posts(db_url: str) -> list[str]:
    app = create_app(Settings.from_env({"ASSAY_DATABASE_URL": db_url}))
    return sorted(r.path for r in app.routes if isinstance(r, APIRoute)
                  and "POST" in r.methods and not r.include_in_schema)


def test_every_route_has_a_row(org: Org, db_url: str) -> None:
    routes = _spec_routes(org.url)
    missing = [r for r in routes if r not in ROLE_OF]
    assert missing == [], (
        "routes without a row in tests/test_roles.py ROLE_OF: add (method, path): 'read' | "
        f"'member' | 'admin' | 'worker' | 'user' | 'public' for each: {missing}")
    stale = set(ROLE_OF) - set(routes) - ANNOUNCED
    assert stale == set(), f"rows of ROLE_OF for routes that no longer exist: {stale}"
    web = [p for p in _web_posts(db_url) if p not in WEB_POST_ROLE_OF]
    assert web == [], f"web POST routes without a row in WEB_POST_ROLE_OF: {web}"


@pytest.fixture(scope="module")
def keys(org: Org) -> dict[str, str]:
    made = {}
    with org.http() as http:
        for role in ROLES:
            r = http.post("/v1/org/keys", json={"name": f"{role} key", "role": role})
            assert r.status_code == 201, r.text
            made[role] = r.json()["key"]
    return made


def _ids(org: Org) -> dict[str, str]:
    """Real objects of the organization, so that reads succeed."""
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": "x"})
    batch = org.client.create_batch(project["id"], "b")
    gold = org.client.add_gold(project["id"], {"text": "g"}, {"label": "pos"})
    payout = org.client.create_payout()
    with org.http() as http:
        model = http.post("/v1/models", json={"name": f"m-{task['id']}", "model": "m",
                                              "base_url": "https://models.example.com/v1"})
    # An evaluation with one battle decided, so that its leaderboard reads.
    evaluation = org.client._call("POST", "/v1/evaluations", json={
        "name": "e", "prompts": [{"id": "p", "prompt": "p"}],
        "responses": [{"prompt_id": "p", "model": m, "content": m} for m in ("x", "y")]})
    worker = org.worker()
    offer = worker.next(evaluation["project"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"choice": "a"})
    return {"project_id": project["id"], "task_id": task["id"], "batch_id": batch["id"],
            "gold_id": gold["id"], "payout_id": payout["id"], "model_id": model.json()["id"],
            "evaluation_id": evaluation["id"]}


def _path(path: str, ids: dict[str, str]) -> str:
    # Ids this test did not create: a well-formed id of nothing (the role check comes first).
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "xyz_00000000000000000000000a"),
                  path)


def _code(response: httpx.Response) -> str | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    return body.get("error", {}).get("code") if isinstance(body, dict) else None


def test_each_role_gets_what_its_row_says(org: Org, keys: dict[str, str]) -> None:
    ids = _ids(org)
    routes = [r for r in _spec_routes(org.url) if r[1].startswith("/v1/")]
    wrong: list[str] = []
    # Reads first (with real ids), so that the changes tried after them do not matter.
    for method, path in sorted(routes, key=lambda r: ROLE_OF.get(r) != "read"):
        need = ROLE_OF[(method, path)]
        for role in ROLES:
            with httpx.Client(base_url=org.url, timeout=30,
                              headers={"Authorization": f"Bearer {keys[role]}"}) as http:
                # Changes name no object and send an empty body: past the role check they
                # are refused as invalid or not found, so the attempts change nothing.
                r = http.request(method, _path(path, ids if need == "read" else {}),
                                 json=None if method == "GET" else {},
                                 params=QUERY_OF.get(path, {}) | (
                                     {"project": ids["project_id"]}
                                     if path in QUERY_OF else {}))
            status, code = r.status_code, _code(r)
            refused = status == 403 and code == "forbidden_role"
            if need == "read":  # 202: a read that started its job (curation's duplicates)
                ok = status in (200, 202)
            elif need == "member":
                ok = refused if role == "viewer" else status not in (401, 403)
            elif need == "admin":
                ok = refused if role != "admin" else status not in (401, 403)
            elif need == "worker":
                ok = status == 401
            elif need == "user":
                ok = status == 403 and code == "user_required"
            else:
                ok = True
            if not ok:
                wrong.append(f"{role} {method} {path} (needs {need}): {status} {r.text[:120]}")
    assert wrong == []
    assert org.client.get_task(ids["task_id"])["status"] == "pending"


def test_signed_in_users_get_their_roles_in_the_api_and_the_web_ui(org: Org) -> None:
    project = categorize_project(org)
    for role in ROLES:
        account = user_account(org, role)
        with signed_in_client(org.url, account) as http:
            dashboard = http.get("/").text
            csrf = page_token(dashboard)
            headers = {"X-CSRF-Token": csrf}
            change = http.patch(f"/v1/projects/{project['id']}", json={"name": "renamed"},
                                headers=headers)
            export = http.get(f"/v1/projects/{project['id']}/export")
            admin = http.get("/v1/org/members")
            form = http.post("/projects/new", data={"csrf_token": csrf, "name": ""})
            read = http.get(f"/v1/projects/{project['id']}")
            password = http.post("/v1/me/password", headers=headers,
                                 json={"current_password": "wrong one", "new_password":
                                       "another good password"})
        assert read.status_code == 200
        assert password.status_code == 422, password.text  # past the role check
        if role == "viewer":
            assert (change.status_code, _code(change)) == (403, "forbidden_role")
            assert (export.status_code, _code(export)) == (403, "forbidden_role")
            assert (form.status_code, _code(form)) == (403, "forbidden_role")
            assert 'id="new-project-link"' not in dashboard
        else:
            assert change.status_code == 200, change.text
            assert export.status_code == 200
            assert form.status_code == 422  # the empty form's errors, past the role check
            assert 'id="new-project-link"' in dashboard
        assert admin.status_code == (200 if role == "admin" else 403), admin.text
