"""The requester console over plain HTTP: figures that refresh themselves (``/progress``),
a new project's directions for adding tasks."""

from __future__ import annotations

import re

from tests.support import Org, categorize_project
from tests.web.support import (
    answer_with_new_workers,
    browser_client,
    signed_in_client,
    user_account,
)


def test_progress_reads_counts_and_pace_for_every_role(org: Org, other_org: Org) -> None:
    project = categorize_project(org, name="Progress")
    org.client.create_tasks(project["id"], [{"data": {"text": str(i)}} for i in range(4)])
    answer_with_new_workers(org, project["id"], ["pos"])
    theirs = categorize_project(other_org, name="Theirs")
    for role in ("viewer", "member", "admin"):
        with signed_in_client(org.url, user_account(org, role)) as http:
            one = http.get(f"/projects/{project['id']}/progress")
            every = http.get("/progress")
            foreign = http.get(f"/projects/{theirs['id']}/progress")
        assert one.status_code == 200, one.text
        [figures] = one.json()["projects"]
        assert figures["id"] == project["id"] and figures["running"] is True
        assert figures["counts"]["pending"] == 3 and figures["counts"]["completed"] == 1
        assert figures["total"] == 4 and figures["percent"] == 25
        assert figures["answers_24h"] == 1 and figures["left"] == 3
        assert figures["eta_text"] == "too few answers yet"
        ids = [p["id"] for p in every.json()["projects"]]
        assert project["id"] in ids and theirs["id"] not in ids
        assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "not_found"
    with browser_client(org.url) as http:
        assert http.get("/progress").status_code == 401


def test_a_new_project_says_how_to_add_tasks_and_refreshes_itself(org: Org) -> None:
    project = categorize_project(org, name="Empty")
    with signed_in_client(org.url, user_account(org)) as http:
        empty = http.get(f"/projects/{project['id']}").text
        dashboard = http.get("/").text
    assert 'id="add-tasks"' in empty
    assert f"assay import tasks.jsonl --project {project['id']}" in empty
    assert f'href="/projects/{project["id"]}/data"' in empty
    assert f'data-refresh="/projects/{project["id"]}/progress"' in empty
    assert 'data-refresh="/progress"' in dashboard
    assert re.search(r'<script type="module" src="/static/console\.js', empty)
    org.client.create_tasks(project["id"], [{"data": {"text": "a"}}])
    with signed_in_client(org.url, user_account(org, "viewer")) as http:
        filled = http.get(f"/projects/{project['id']}").text
    assert 'id="add-tasks"' not in filled
