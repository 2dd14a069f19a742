"""Project sensitivity and worker clearances: a worker without the project's level gets 204
from ``next`` and 404 on its pages and per-project API; an admin sets clearances for the
organization's own team only; lowering one ends live leases; a restricted project takes no
crowd (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from assay.client import WorkerClient
from tests.support import Org, categorize_project
from tests.web.support import signed_in_client, worker_account


def _bad(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
    assert field in fields, fields


def _set(org: Org, worker_id: str, clearances: Any) -> httpx.Response:
    with org.http() as http:
        return http.patch(f"/v1/org/workers/{worker_id}", json={"clearances": clearances})


def test_sensitivity_is_standard_by_default_and_validated(org: Org) -> None:
    project = categorize_project(org)
    assert project["sensitivity"] == "standard"
    assert org.client.get_project(project["id"])["sensitivity"] == "standard"
    with org.http() as http:
        body = {"name": "p", "kind": "categorize", "params": {"labels": ["a", "b"]}}
        for value in ("secret", "", None, 1, ["restricted"], "Restricted"):
            _bad(http.post("/v1/projects", json={**body, "sensitivity": value}), "sensitivity")
            _bad(http.patch(f"/v1/projects/{project['id']}", json={"sensitivity": value})
                 if value is not None else
                 http.patch(f"/v1/projects/{project['id']}", json={"sensitivity": 7}),
                 "sensitivity")
        made = http.post("/v1/projects", json={**body, "sensitivity": "confidential"})
        assert made.status_code == 201 and made.json()["sensitivity"] == "confidential"
        patched = http.patch(f"/v1/projects/{project['id']}", json={"sensitivity": "restricted"})
        assert patched.json()["sensitivity"] == "restricted"
        # A restricted project takes no crowd, whichever of the two comes second.
        _bad(http.post("/v1/projects", json={**body, "sensitivity": "restricted",
                                             "workforce": "crowd"}), "sensitivity")
        _bad(http.patch(f"/v1/projects/{project['id']}", json={"workforce": "crowd"}),
             "workforce")
        crowd = http.post("/v1/projects", json={**body, "workforce": "crowd"}).json()
        _bad(http.patch(f"/v1/projects/{crowd['id']}", json={"sensitivity": "restricted"}),
             "sensitivity")
    assert org.client.get_project(project["id"])["workforce"] == "private"
    assert org.client.get_project(crowd["id"])["sensitivity"] == "standard"


def _worker(org: Org) -> tuple[WorkerClient, str]:
    worker = org.worker()
    return worker, worker.me()["worker_id"]


def test_a_worker_sees_only_the_levels_they_are_cleared_for(org: Org) -> None:
    levels = {}
    for level in ("standard", "confidential", "restricted"):
        levels[level] = categorize_project(org, sensitivity=level)
        org.client.create_task(levels[level]["id"], {"text": level})
    worker, worker_id = _worker(org)
    http = worker._http

    def offered(level: str) -> bool:
        got = http.post("/v1/work/next", json={"project": levels[level]["id"]})
        assert got.status_code in (200, 204), got.text
        if got.status_code == 200:
            http.post(f"/v1/work/{got.json()['assignment_id']}/skip", json={})
        return got.status_code == 200

    def reads(level: str) -> int:
        return http.get("/v1/work/me", params={"project": levels[level]["id"]}).status_code

    assert offered("standard")
    assert not offered("confidential") and not offered("restricted")
    assert reads("confidential") == 404 and reads("restricted") == 404
    assert http.get("/v1/work/standing",
                    params={"project": levels["confidential"]["id"]}).status_code == 404
    granted = _set(org, worker_id, ["confidential"])
    assert granted.status_code == 200, granted.text
    assert granted.json() == {"worker_id": worker_id, "clearances": ["confidential"]}
    org.client.create_task(levels["confidential"]["id"], {"text": "c2"})
    assert offered("confidential") and not offered("restricted")
    assert reads("confidential") == 200 and reads("restricted") == 404
    # A restricted clearance covers confidential projects too.
    assert _set(org, worker_id, ["restricted"]).json()["clearances"] == ["restricted"]
    for level in ("confidential", "restricted"):
        org.client.create_task(levels[level]["id"], {"text": level + "3"})
        assert offered(level)
    assert _set(org, worker_id, []).json()["clearances"] == []
    assert reads("restricted") == 404


def test_lowering_a_clearance_ends_the_live_lease(org: Org) -> None:
    project = categorize_project(org, sensitivity="confidential")
    org.client.create_task(project["id"], {"text": "one slot"})
    worker, worker_id = _worker(org)
    other, other_id = _worker(org)
    assert _set(org, worker_id, ["confidential"]).status_code == 200
    assert _set(org, other_id, ["confidential"]).status_code == 200
    offer = worker.next(project["id"])
    assert offer is not None
    assert other.next(project["id"]) is None  # the only slot is leased
    assert _set(org, worker_id, []).status_code == 200
    late = worker._http.post(f"/v1/work/{offer['assignment_id']}/submit",
                             json={"answer": {"label": "pos"}})
    assert late.status_code == 409 and late.json()["error"]["code"] == "assignment_expired"
    assert other.next(project["id"]) is not None  # the slot came back


def test_clearances_are_for_the_admins_own_team_only(org: Org, other_org: Org) -> None:
    _, mine = _worker(org)
    _, theirs = _worker(other_org)
    crowd_worker = org.worker(crowd=True)
    crowd_id = crowd_worker.me()["worker_id"]
    missing = "wrk_" + "0" * len(mine[4:])

    def masked(r: httpx.Response, worker_id: str) -> tuple[int, str]:
        return r.status_code, r.text.replace(worker_id, "ID")

    expected = masked(_set(org, missing, ["confidential"]), missing)
    assert expected[0] == 404
    assert masked(_set(org, theirs, ["confidential"]), theirs) == expected
    assert masked(_set(org, crowd_id, ["confidential"]), crowd_id) == expected
    for bad in (["secret"], ["standard"], "confidential", None, [1]):
        _bad(_set(org, mine, bad), "clearances" if not isinstance(bad, list)
             else "clearances[0]")
    with org.http() as http:
        _bad(http.patch(f"/v1/org/workers/{mine}", json={"clearances": [], "email": "x"}),
             "email")
    with httpx.Client(base_url=org.url,
                      headers={"Authorization": f"Bearer {other_org.api_key}"}) as http:
        assert http.patch(f"/v1/org/workers/{theirs}",
                          json={"clearances": ["restricted"]}).status_code == 200


def test_the_worker_pages_of_a_project_above_the_clearance_are_not_found(org: Org) -> None:
    project = categorize_project(org, sensitivity="restricted")
    open_project = categorize_project(org)
    account = worker_account(org)
    with signed_in_client(org.url, account) as http:
        assert http.get(f"/work/{open_project['id']}").status_code == 200
        for path in (f"/work/{project['id']}", f"/work/{project['id']}/standing"):
            assert http.get(path).status_code == 404, path
        assert project["id"] not in http.get("/work").text
        assert _set(org, account.subject_id, ["restricted"]).status_code == 200
        assert http.get(f"/work/{project['id']}").status_code == 200
        assert project["id"] in http.get("/work").text


@pytest.mark.parametrize("level", ["confidential", "restricted"])
def test_crowd_workers_are_never_offered_a_sensitive_project(org: Org, level: str) -> None:
    body: dict[str, Any] = {"workforce": "crowd"}
    if level == "restricted":
        with org.http() as http:
            _bad(http.post("/v1/projects", json={
                "name": "p", "kind": "categorize", "params": {"labels": ["a"]},
                "sensitivity": level, **body}), "sensitivity")
        return
    project = categorize_project(org, sensitivity=level, **body)
    org.client.create_task(project["id"], {"text": "x"})
    crowd = org.worker(crowd=True)
    assert crowd.next(project["id"]) is None


def test_a_reviewer_without_the_level_has_no_review_queue(org: Org) -> None:
    project = categorize_project(org, sensitivity="confidential",
                                 quality={"overlap": 1, "review_rate": 1.0})
    reviewer, reviewer_id = _worker(org)
    org.client.add_reviewer(project["id"], reviewer_id)
    got = reviewer._http.post("/v1/review/next", json={"project": project["id"]})
    assert got.status_code == 404, got.text
    assert _set(org, reviewer_id, ["confidential"]).status_code == 200
    got = reviewer._http.post("/v1/review/next", json={"project": project["id"]})
    assert got.status_code in (200, 204), got.text


def test_the_project_form_sets_sensitivity_and_retention(org: Org) -> None:
    import re

    from tests.web.support import form_token, user_account

    def post(http: httpx.Client, **fields: str) -> httpx.Response:
        token = form_token(http.get("/projects/new").text)
        return http.post("/projects/new", data={
            "csrf_token": token, "name": "Form", "kind": "categorize", "labels": "a\nb",
            "overlap": "1", **fields})

    def errors(html: str, field: str) -> str:
        found = re.search(rf'id="{field}-errors" data-field="{field}">(.*?)</ul>', html, re.S)
        return found.group(1) if found else ""

    with signed_in_client(org.url, user_account(org, role="admin")) as http:
        made = post(http, sensitivity="confidential", retention_days="30")
        assert made.status_code == 303, made.text
        crowd = post(http, sensitivity="restricted", workforce="crowd")
        days = post(http, retention_days="0")
        text = post(http, retention_days="a week")
    project = org.client.get_project(made.headers["location"].rsplit("/", 1)[1])
    assert project["sensitivity"] == "confidential" and project["retention_days"] == 30
    assert crowd.status_code == 422 and errors(crowd.text, "sensitivity")
    assert days.status_code == 422 and errors(days.text, "retention_days")
    assert text.status_code == 422 and errors(text.text, "retention_days")
