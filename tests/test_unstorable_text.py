"""U+0000 and unpaired surrogates, anywhere a request carries text (parameters, JSON values
and keys, form fields): 422 naming the field on both databases, nothing written, and the
client's connection still good for its next request."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support import Org, categorize_project

NUL, LONE = "a\u0000b", "x\ud800y"


def _send(http: httpx.Client, method: str, path: str, body: Any) -> httpx.Response:
    """JSON as a client in any language may send it: a lone surrogate escaped as \\ud800."""
    return http.request(method, path, content=json.dumps(body).encode(),
                        headers={"Content-Type": "application/json"})


def _refused(r: httpx.Response, field: str) -> None:
    assert r.status_code == 422, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert error["code"] == "invalid_input"
    assert [f["field"] for f in error["details"]["fields"]] == [field], error
    assert "U+0000" in error["message"]


@pytest.mark.parametrize("bad", [NUL, LONE], ids=["nul", "surrogate"])
def test_customer_bodies_are_refused_naming_the_field(org: Org, bad: str) -> None:
    project = categorize_project(org)
    pid = project["id"]
    cases: list[tuple[str, str, Any, str]] = [
        ("POST", "/v1/projects", {"name": bad, "kind": "categorize",
                                  "params": {"labels": ["a"]}}, "name"),
        ("POST", "/v1/projects", {"name": "p", "kind": "categorize",
                                  "params": {"labels": ["a", bad]}}, "params.labels[1]"),
        ("POST", "/v1/projects", {"name": "p", "kind": "categorize", "instructions": bad,
                                  "params": {"labels": ["a"]}}, "instructions"),
        ("PATCH", f"/v1/projects/{pid}", {"name": bad}, "name"),
        ("POST", "/v1/tasks", {"project": pid, "data": {"text": bad}}, "data.text"),
        ("POST", "/v1/tasks", {"project": pid, "data": {"list": [1, {"deep": bad}]}},
         "data.list[1].deep"),
        ("POST", "/v1/tasks", {"project": pid, "data": {bad: "key"}}, "data"),
        ("POST", "/v1/tasks", {"project": pid, "data": {}, "unique_id": bad}, "unique_id"),
        ("POST", "/v1/tasks", {"project": pid, "data": {}, "metadata": {"m": bad}},
         "metadata.m"),
        ("POST", "/v1/tasks", {"project": bad, "data": {}}, "project"),
        ("POST", f"/v1/projects/{pid}/gold", {"data": {"text": bad},
                                              "answer": {"label": "pos"}}, "data.text"),
        ("POST", f"/v1/projects/{pid}/training", {"data": {}, "answer": {"label": "pos"},
                                                  "explanation": bad}, "explanation"),
        ("POST", "/v1/batches", {"project": pid, "name": bad}, "name"),
    ]
    with org.http() as http:
        for method, path, body, field in cases:
            _refused(_send(http, method, path, body), field)
            # The same connection serves the next request (PostgreSQL used to reset it).
            assert http.get(f"/v1/projects/{pid}").status_code == 200
        if bad == NUL:  # a URL cannot carry a lone surrogate; it can carry %00
            _refused(http.get("/v1/tasks", params={"project": pid, "status": bad}), "status")
            _refused(http.get("/v1/tasks/tsk_a%00b"), "task_id")
            _refused(http.get("/v1/projects/prj_%00"), "project_id")
            assert http.get(f"/v1/projects/{pid}").status_code == 200
    assert list(org.client.iter_tasks(project=pid)) == []
    assert org.client.get_project(pid)["name"] == project["name"]
    assert [p["name"] for p in org.client.iter_projects()].count("p") == 0


def test_a_bulk_import_names_the_bad_row_and_partial_keeps_the_rest(org: Org) -> None:
    project = categorize_project(org)
    rows = [{"data": {"text": "fine"}, "unique_id": "r0"},
            {"data": {"text": NUL}, "unique_id": "r1"},
            {"data": {"text": "fine"}, "unique_id": LONE}]
    with org.http() as http:
        r = _send(http, "POST", "/v1/tasks/bulk", {"project": project["id"], "tasks": rows})
        assert r.status_code == 422, r.text
        errors = r.json()["error"]["details"]["errors"]
        assert [(e["index"], [f["field"] for f in e["fields"]]) for e in errors] == [
            (1, ["tasks[1].data.text"]), (2, ["tasks[2].unique_id"])]
        assert list(org.client.iter_tasks(project=project["id"])) == []
        r = _send(http, "POST", "/v1/tasks/bulk", {"project": project["id"], "tasks": rows,
                                                   "partial": True})
        assert r.status_code == 200, r.text
        assert r.json()["created"] == 1
        assert [e["index"] for e in r.json()["errors"]] == [1, 2]
    assert [t["unique_id"] for t in org.client.iter_tasks(project=project["id"])] == ["r0"]


@pytest.mark.parametrize("bad", [NUL, LONE], ids=["nul", "surrogate"])
def test_a_worker_answer_is_refused_and_the_assignment_stays_open(org: Org, bad: str) -> None:
    project = org.client.create_project(name="free text", kind="text", params={})
    org.client.create_task(project["id"], {"prompt": "say something"})
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    token = worker._http.headers["Authorization"]
    with httpx.Client(base_url=org.url, headers={"Authorization": token}) as http:
        submit = f"/v1/work/{offer['assignment_id']}/submit"
        _refused(_send(http, "POST", submit, {"answer": {"text": bad}}), "answer.text")
        skip = f"/v1/work/{offer['assignment_id']}/skip"
        _refused(_send(http, "POST", skip, {"reason": "other", "comment": bad}), "comment")
        r = http.post(submit, json={"answer": {"text": "fine"}})
        assert r.status_code == 200, r.text
    [task] = org.client.iter_tasks(project=project["id"], include_responses=True)
    assert [x["answer"] for x in task["responses"]] == [{"text": "fine"}]


def test_a_sign_in_form_with_a_nul_is_refused(org: Org) -> None:
    with httpx.Client(base_url=org.url) as http:
        page = http.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        r = http.post("/login", data={"email": f"w{NUL}@example.com", "password": "x" * 10,
                                      "csrf_token": token, "next": ""})
        _refused(r, "email")
        assert http.get("/login").status_code == 200


def test_the_byte_screen_catches_every_spelling_and_passes_look_alikes(org: Org) -> None:
    """The check screens raw bytes before parsing: a surrogate sent as raw UTF-8 bytes (which
    Python's JSON decoder lets through) or as an upper-case escape is caught; text that only
    looks suspicious (an escaped backslash before ``u0000``, Hangul, which shares the lead
    byte ED with UTF-8 surrogates, a non-ASCII escape) is stored as sent."""
    pid = categorize_project(org)["id"]

    def post(raw: bytes) -> httpx.Response:
        with org.http() as http:
            return http.post("/v1/tasks", content=raw,
                             headers={"Content-Type": "application/json"})

    prefix = b'{"project": "' + pid.encode() + b'", "data": {"text": "'
    for spelling in (b"a\xed\xa0\x80b", b"a\\uD800b", b"a\\udfffb", b"a\\u0000b"):
        _refused(post(prefix + spelling + b'"}}'), "data.text")
    for spelling, stored in ((b"a\\\\u0000b", "a\\u0000b"), ("\ud55c".encode(), "\ud55c"),
                             (b"caf\\u00e9", "caf\u00e9"), (b"\\ud83d\\ude00", "\U0001f600")):
        r = post(prefix + spelling + b'"}}')
        assert r.status_code == 201, r.text
        assert org.client.get_task(r.json()["id"])["data"] == {"text": stored}
