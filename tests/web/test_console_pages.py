"""The requester console over plain HTTP: figures that refresh themselves (``/progress``),
a new project's directions for adding tasks."""

from __future__ import annotations

import json
import re

import httpx

from tests.support import Org, categorize_project
from tests.web.support import (
    answer_with_new_workers,
    browser_client,
    page_token,
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


def _import(http: httpx.Client, project_id: str, name: str, content: bytes,
            partial: bool = False, token: str | None = None) -> httpx.Response:
    if token is None:
        token = page_token(http.get(f"/projects/{project_id}/data").text)
    return http.post(f"/projects/{project_id}/import", headers={"X-CSRF-Token": token},
                     files={"file": (name, content)}, data={"partial": "1" if partial else ""})


def _unique_ids(org: Org, project_id: str) -> list[str]:
    return sorted(t["unique_id"] for t in org.client.iter_tasks(project=project_id))


def test_a_member_imports_jsonl_and_csv_and_sees_duplicates(org: Org) -> None:
    project = categorize_project(org, name="Import")
    jsonl = "".join(json.dumps({"data": {"text": f"t{i}"}, "unique_id": f"j{i}"}) + "\n"
                    for i in range(3)).encode()
    table = "\ufefftext,unique_id,priority\nhello,c1,5\n\"a, \"\"quoted\"\"\nline\",c2,0\n"
    with signed_in_client(org.url, user_account(org)) as http:
        first = _import(http, project["id"], "tasks.jsonl", jsonl)
        again = _import(http, project["id"], "tasks.jsonl", jsonl)
        from_csv = _import(http, project["id"], "tasks.csv", table.encode())
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 3 and first.json()["rows"] == 3
    assert again.json()["created"] == 0
    assert [d["line"] for d in again.json()["duplicates"]] == [1, 2, 3]
    assert from_csv.json()["created"] == 2, from_csv.text
    tasks = {t["unique_id"]: t for t in org.client.iter_tasks(project=project["id"])}
    assert tasks["c1"]["data"] == {"text": "hello"} and tasks["c1"]["priority"] == 5
    assert tasks["c2"]["data"] == {"text": 'a, "quoted"\nline'}
    entries = org.http().get("/v1/audit", params={"action": "task.create_bulk",
                                                   "object": project["id"]}).json()["docs"]
    assert len(entries) == 3 and entries[0]["actor"]["type"] == "user"


def test_a_bad_row_imports_nothing_and_is_named_by_its_line(org: Org) -> None:
    project = categorize_project(org, name="Bad rows")
    rows = [{"data": {"text": "ok"}, "unique_id": "ok1"}, {"data": 5, "unique_id": "x"},
            {"data": {"text": "ok"}, "unique_id": "ok2", "priority": "high"}]
    content = ("\n".join(json.dumps(r) for r in rows) + "\n{not json\n").encode()
    with signed_in_client(org.url, user_account(org)) as http:
        refused = _import(http, project["id"], "rows.jsonl", content)
        assert _unique_ids(org, project["id"]) == []
        partial = _import(http, project["id"], "rows.jsonl", content, partial=True)
        latin = _import(http, project["id"], "latin.csv", "text\ncaf\xe9\n".encode("latin-1"))
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "invalid_input" and "nothing was imported" in error["message"]
    assert [e["line"] for e in error["details"]["errors"]] == [2, 3, 4]
    assert error["details"]["errors"][0]["fields"][0]["field"] == "data"
    assert error["details"]["errors"][1]["fields"][0]["field"] == "priority"
    assert error["details"]["errors"][2]["code"] == "invalid_json"
    assert partial.status_code == 200 and partial.json()["created"] == 1
    assert [e["line"] for e in partial.json()["errors"]] == [2, 3, 4]
    assert _unique_ids(org, project["id"]) == ["ok1"]
    assert latin.status_code == 422
    assert latin.json()["error"]["details"]["fields"][0]["field"] == "file"


def test_import_needs_a_member_the_session_token_and_the_organizations_project(
        org: Org, other_org: Org) -> None:
    project = categorize_project(org, name="Guarded")
    theirs = categorize_project(other_org, name="Theirs")
    content = json.dumps({"data": {"text": "x"}}).encode()
    with signed_in_client(org.url, user_account(org, "viewer")) as http:
        page = http.get(f"/projects/{project['id']}/data").text
        token = page_token(page)
        viewer = _import(http, project["id"], "a.jsonl", content, token=token)
        export = http.get(f"/v1/projects/{project['id']}/export")
    assert 'id="import-needs-role"' in page and 'id="export-needs-role"' in page
    assert viewer.status_code == 403 and viewer.json()["error"]["code"] == "forbidden_role"
    assert export.status_code == 403
    with signed_in_client(org.url, user_account(org)) as http:
        page = http.get(f"/projects/{project['id']}/data").text
        token = page_token(page)
        no_token = _import(http, project["id"], "a.jsonl", content, token="")
        foreign = _import(http, theirs["id"], "a.jsonl", content, token=token)
        foreign_page = http.get(f"/projects/{theirs['id']}/data")
        exported = http.get(f"/v1/projects/{project['id']}/export?format=csv")
    assert no_token.status_code == 403 and no_token.json()["error"]["code"] == "csrf_failed"
    assert foreign.status_code == 404 and foreign_page.status_code == 404
    assert list(other_org.client.iter_tasks(project=theirs["id"])) == []
    assert _unique_ids(org, project["id"]) == []
    for link in (f"/v1/projects/{project['id']}/export?format=jsonl",
                 f"/v1/projects/{project['id']}/export?format=csv&amp;include=responses",
                 f"/v1/projects/{project['id']}/export?format=jsonl&amp;file=parquet"):
        assert f'href="{link}"' in page
    assert 'id="export-post-training"' not in page  # categorize has no preferences
    assert exported.status_code == 200 and exported.text.startswith("id,status")
    with browser_client(org.url) as http:
        anonymous = http.post(f"/projects/{project['id']}/import",
                              files={"file": ("a.jsonl", content)})
    assert anonymous.status_code == 401


def test_a_compare_project_offers_the_post_training_formats(org: Org) -> None:
    project = org.client.create_project(name="Battles", kind="compare",
                                        params={"allow_tie": True})
    with signed_in_client(org.url, user_account(org)) as http:
        page = http.get(f"/projects/{project['id']}/data").text
        links = re.findall(r'href="(/v1/projects/[^"]+)"', page)
        answers = [http.get(link.replace("&amp;", "&")) for link in links]
    formats = re.findall(r'data-format="([^"]+)"', page)
    for fmt in ("sft", "dpo", "kto", "openai", "openai_dpo", "reward", "dpo-parquet"):
        assert fmt in formats
    assert [a.status_code for a in answers] == [200] * len(links), [
        (link, a.text[:80]) for link, a in zip(links, answers, strict=True)
        if a.status_code != 200]
