"""Every organization-scoped route, enumerated from the OpenAPI document, answers 404 to
another organization's credentials for an existing object — the same as for a missing one,
byte for byte once the id itself is masked (no existence oracle)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.support import Org, categorize_project

PUBLIC = {"/healthz", "/readyz"}
MISSING = {"project_id": "prj_00000000000000000000000a", "task_id": "tsk_00000000000000000000000a",
           "batch_id": "bat_00000000000000000000000a",
           "assignment_id": "asg_00000000000000000000000a",
           "gold_id": "tsk_00000000000000000000000b", "payout_id": "pay_00000000000000000000000a",
           "member_id": "usr_00000000000000000000000a", "key_id": "key_00000000000000000000000a",
           "worker_id": "wrk_00000000000000000000000a",
           "model_id": "mdl_00000000000000000000000a",
           "callback_id": "cbk_00000000000000000000000a",
           "evaluation_id": "evl_00000000000000000000000a"}

# Bodies that name an object of the organization inside the request.
def _bodies(ids: dict[str, str]) -> dict[tuple[str, str], Any]:
    return {
        ("POST", "/v1/tasks"): {"project": ids["project_id"], "data": {"text": "x"}},
        ("POST", "/v1/tasks/bulk"): {"project": ids["project_id"],
                                     "tasks": [{"data": {"text": "x"}}]},
        ("POST", "/v1/batches"): {"project": ids["project_id"], "name": "b"},
        ("POST", "/v1/work/next"): {"project": ids["project_id"]},
        ("POST", "/v1/work/{assignment_id}/submit"): {"answer": {"label": "pos"}},
        ("POST", "/v1/work/{assignment_id}/skip"): {},
        ("POST", "/v1/work/{assignment_id}/generate"): {},
        ("PATCH", "/v1/projects/{project_id}"): {"name": "stolen"},
        ("PATCH", "/v1/tasks/{task_id}"): {"priority": 5},
        ("PATCH", "/v1/models/{model_id}"): {"name": "stolen"},
        ("POST", "/v1/projects/{project_id}/generate"): {"model": ids["model_id"],
                                                         "seeds": ["Write a poem."]},
        ("POST", "/v1/evaluations"): {
            "name": "e", "prompts": [{"id": "p", "prompt": "p"}], "models": [ids["model_id"]],
            "responses": [{"prompt_id": "p", "model": "x", "content": "secret x"}]},
        ("PATCH", "/v1/org/members/{member_id}"): {"role": "viewer"},
        ("PATCH", "/v1/org/workers/{worker_id}"): {"clearances": ["restricted"]},
        ("POST", "/v1/tasks/{task_id}/audit"): {"accepted": True},
        ("POST", "/v1/projects/{project_id}/reviewers"): {"worker_id": "wrk_0"},
        ("POST", "/v1/review/next"): {"project": ids["project_id"]},
        ("POST", "/v1/review/{task_id}"): {"verdict": "accept"},
        ("POST", "/v1/projects/{project_id}/bonuses"): {"worker_id": "wrk_0", "amount": "1"},
        ("POST", "/v1/projects/{project_id}/workers/{worker_id}/pause"): {"note": "x"},
        ("POST", "/v1/projects/{project_id}/workers/{worker_id}/resume"): {},
        ("POST", "/v1/projects/{project_id}/workers/{worker_id}/appeal"): {"grant": True},
        ("POST", "/v1/work/appeals"): {"project": ids["project_id"], "message": "please"},
        ("POST", "/v1/projects/{project_id}/gold"): {"data": {"text": "x"},
                                                     "answer": {"label": "pos"}},
        ("POST", "/v1/projects/{project_id}/suspects/review"): {},
        ("POST", "/v1/projects/{project_id}/order"): {"by": "priority"},
        ("POST", "/v1/projects/{project_id}/predictions"): {
            "predictions": [{"task_id": ids["task_id"], "probabilities": {"pos": 1.0}}]},
        ("POST", "/v1/projects/{project_id}/training"): {"data": {"text": "x"},
                                                         "answer": {"label": "pos"},
                                                         "explanation": "why"},
    }


def _routes(url: str) -> list[tuple[str, str]]:
    spec = httpx.get(url + "/openapi.json").json()
    return [(method.upper(), path) for path, ops in spec["paths"].items()
            for method in ops if path not in PUBLIC]


def _object_routes(routes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Routes that reach an existing object: by an id in the path, or one in the body."""
    return [(m, p) for m, p in routes
            if "{" in p or ((m, p) in _bodies(MISSING) and m == "POST" and p != "/v1/projects")]


def _masked(response: httpx.Response, ids: dict[str, str]) -> bytes:
    """The body with each id of the request replaced by its name: what must be identical
    for a foreign and a missing object (an error body carries no per-request value)."""
    body = response.content
    for name, value in ids.items():
        body = body.replace(value.encode(), f"<{name}>".encode())
    return body


def _call(http: httpx.Client, method: str, path: str, ids: dict[str, str]) -> httpx.Response:
    concrete = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
    body = _bodies(ids).get((method, path))
    return http.request(method, concrete, json=body)


def test_every_scoped_route_hides_other_organizations_objects(org: Org,
                                                              other_org: Org) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": "secret"})
    batch = org.client.create_batch(project["id"], "b1")
    gold = org.client.add_gold(project["id"], {"text": "secret gold"}, {"label": "pos"})
    payout = org.client.create_payout()
    with org.http() as http:
        member = http.post("/v1/org/members", json={"email": "kept@example.com",
                                                    "role": "admin"}).json()
        key = http.post("/v1/org/keys", json={"name": "kept", "role": "member"}).json()
        model = http.post("/v1/models", json={"name": "kept", "model": "m",
                                              "base_url": "https://models.example.com/v1"})
    # A callback delivery: a completed task of a project whose (unresolvable) URL fails.
    hooked = categorize_project(org, callback_url="https://hooks.invalid/assay")
    hooked_task = org.client.create_task(hooked["id"], {"text": "x"})
    hook_worker = org.worker()
    hook_offer = hook_worker.next(hooked["id"])
    assert hook_offer is not None
    hook_worker.submit(hook_offer["assignment_id"], {"label": "pos"})
    with org.http() as http:
        callback_id = http.get("/v1/callbacks",
                               params={"task": hooked_task["id"]}).json()["docs"][0]["id"]
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    owned = {"project_id": project["id"], "task_id": task["id"], "batch_id": batch["id"],
             "assignment_id": offer["assignment_id"], "gold_id": gold["id"],
             "payout_id": payout["id"], "member_id": member["user_id"], "key_id": key["id"],
             "worker_id": worker.me()["worker_id"], "model_id": model.json()["id"],
             "callback_id": callback_id,
             "evaluation_id": org.client._call("POST", "/v1/evaluations", json={
                 "name": "kept", "prompts": [{"id": "p", "prompt": "secret prompt"}],
                 "responses": [{"prompt_id": "p", "model": m, "content": "secret reply"}
                               for m in ("x", "y")]})["id"]}
    intruder_worker = other_org.worker()
    routes = _object_routes(_routes(org.url))
    assert len(routes) >= 15
    checked, oracles = [], []
    for method, path in routes:
        token = (intruder_worker._http.headers["Authorization"]
                 if path.startswith(("/v1/work", "/v1/review"))
                 else f"Bearer {other_org.api_key}")
        with httpx.Client(base_url=org.url, headers={"Authorization": token}) as http:
            foreign = _call(http, method, path, owned)
            missing = _call(http, method, path, MISSING)
        assert foreign.status_code == 404, (method, path, foreign.text)
        assert missing.status_code == 404, (method, path, missing.text)
        assert foreign.json()["error"]["code"] == missing.json()["error"]["code"]
        if _masked(foreign, owned) != _masked(missing, MISSING):
            oracles.append((method, path, foreign.text, missing.text))
        assert "secret" not in foreign.text
        checked.append((method, path))
    assert oracles == []
    # Nothing was changed by the attempts.
    assert org.client.get_project(project["id"])["name"] == project["name"]
    assert org.client.get_task(task["id"])["priority"] == 0
    assert org.client.get_task(task["id"])["status"] == "pending"
    assert len(list(org.client.iter_tasks(project=project["id"]))) == 1
    assert ("GET", "/v1/projects/{project_id}/export") in checked
    assert ("GET", "/v1/projects/{project_id}/workers") in checked
    assert ("GET", "/v1/payouts/{payout_id}") in checked
    assert ("POST", "/v1/projects/{project_id}/gold/{gold_id}/retire") in checked
    assert not next(org.client.iter_gold(project["id"]))["retired"]
    assert ("DELETE", "/v1/org/keys/{key_id}") in checked
    assert ("POST", "/v1/models/{model_id}/test") in checked
    assert ("GET", "/v1/evaluations/{evaluation_id}/leaderboard") in checked
    assert ("POST", "/v1/evaluations") in checked
    assert ("POST", "/v1/callbacks/{callback_id}/redeliver") in checked
    with org.http() as http:  # nothing was queued again
        assert len(http.get("/v1/callbacks",
                            params={"task": hooked_task["id"]}).json()["docs"]) == 1
    with org.http() as http:  # neither renamed nor deleted
        assert http.get(f"/v1/models/{owned['model_id']}").json()["name"] == "kept"
    assert ("DELETE", "/v1/org/members/{member_id}") in checked
    assert ("DELETE", "/v1/tasks/{task_id}") in checked  # and the task is still there
    assert ("DELETE", "/v1/projects/{project_id}") in checked
    assert ("PATCH", "/v1/org/workers/{worker_id}") in checked
    with httpx.Client(base_url=org.url, headers={"Authorization": f"Bearer {key['key']}"}) as h:
        assert h.get("/v1/projects").status_code == 200  # the key was not revoked
    with org.http() as http:
        assert http.get("/v1/org/members").json()["docs"] == [
            {**member, "role": "admin"}]  # neither changed nor removed
    # The worker-side standing is scoped by a query parameter: another organization's
    # worker gets the same 404 for this project as for a missing one.
    for route in ("/v1/work/standing", "/v1/work/me"):
        bodies = set()
        for ids in (owned, MISSING):
            r = httpx.get(org.url + route, params={"project": ids["project_id"]},
                          headers={"Authorization": intruder_worker._http.headers[
                              "Authorization"]})
            assert r.status_code == 404 and "secret" not in r.text
            bodies.add(_masked(r, ids))
        assert len(bodies) == 1, (route, bodies)
    # A body naming another organization's worker reads like one naming nobody.
    intruder = {"worker_id": intruder_worker.me()["worker_id"]}
    nobody = {"worker_id": "wrk_00000000000000000000000a"}
    with org.http() as http:
        for route, extra in ((f"/v1/projects/{project['id']}/reviewers", {}),
                             (f"/v1/projects/{project['id']}/bonuses", {"amount": "1"})):
            answers = [http.post(route, json={**ids, **extra}) for ids in (intruder, nobody)]
            assert [a.status_code for a in answers] == [404, 404], route
            assert _masked(answers[0], intruder) == _masked(answers[1], nobody), route
    assert org.client.get_project(project["id"])["counts"]["pending"] == 1


def test_lists_show_only_the_callers_objects(org: Org, other_org: Org) -> None:
    mine = categorize_project(org, name="mine")
    theirs = categorize_project(other_org, name="theirs")
    org.client.create_task(mine["id"], {"text": "a"})
    other_org.client.create_task(theirs["id"], {"text": "b"})
    assert theirs["id"] not in {p["id"] for p in org.client.iter_projects()}
    assert all(t["project"] != theirs["id"] for t in org.client.iter_tasks())
    assert list(org.client.iter_tasks(project=theirs["id"])) == []


def test_credentials_of_the_wrong_kind_are_refused(org: Org) -> None:
    worker = org.worker()
    worker_token = worker._http.headers["Authorization"]
    r = httpx.get(org.url + "/v1/projects", headers={"Authorization": worker_token})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = httpx.post(org.url + "/v1/work/next", json={},
                   headers={"Authorization": f"Bearer {org.api_key}"})
    assert r.status_code == 401
    assert httpx.get(org.url + "/v1/projects").status_code == 401
    assert httpx.get(org.url + "/v1/projects",
                     headers={"Authorization": "Bearer ak_nope"}).status_code == 401
    basic = httpx.get(org.url + "/v1/projects", auth=(org.api_key, ""))
    assert basic.status_code == 200
