"""Malformed JSON, wrong types, unknown fields, oversize bodies: a JSON error naming the
problem, and nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assay.db.engine import Database
from tests.support import Org, ServerProcess, categorize_project, make_org


@pytest.fixture(scope="module")
def small_server(db_url: str, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[ServerProcess]:
    log: Path = tmp_path_factory.mktemp("log") / "server.log"
    proc = ServerProcess(db_url, env={"ASSAY_MAX_BODY_BYTES": "20000"}, log_path=log).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def acme(small_server: ServerProcess, db: Database) -> Org:
    return make_org(small_server.url, db, "Acme")


def _count(org: Org, project_id: str) -> int:
    return len(list(org.client.iter_tasks(project=project_id)))


def _error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, object] = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error


def test_malformed_json_is_400_invalid_json(acme: Org) -> None:
    project = categorize_project(acme)
    with acme.http() as http:
        r = http.post("/v1/tasks", content=b'{"project": "' + project["id"].encode() + b'", ',
                      headers={"Content-Type": "application/json"})
        _error(r, 400, "invalid_json")
        r = http.post("/v1/tasks/bulk", content=b"\xff\xfe not json")
        _error(r, 400, "invalid_json")
    assert _count(acme, project["id"]) == 0


def test_wrong_types_name_the_field(acme: Org) -> None:
    project = categorize_project(acme)
    with acme.http() as http:
        r = http.post("/v1/tasks", json={"project": project["id"], "data": {"text": "x"},
                                         "priority": "high"})
        error = _error(r, 422, "invalid_input")
        assert [f["field"] for f in error["details"]["fields"]] == ["priority"]  # type: ignore[index]
        r = http.post("/v1/projects", json={"name": "p", "kind": "categorize",
                                            "params": {"labels": "pos,neg"}})
        error = _error(r, 422, "invalid_input")
        assert "params.labels" in str(error["details"])
        r = http.post("/v1/projects", json={"name": "p", "kind": "sorting"})
        error = _error(r, 422, "invalid_input")
        assert "kind" in str(error["details"])
        r = http.get("/v1/tasks", params={"limit": 5000})
        _error(r, 422, "invalid_input")
        r = http.get("/v1/tasks", params={"next_token": "garbage"})
        error = _error(r, 422, "invalid_input")
        assert "next_token" in error["message"]  # type: ignore[operator]
    assert _count(acme, project["id"]) == 0


def test_unknown_fields_are_refused(acme: Org) -> None:
    project = categorize_project(acme)
    with acme.http() as http:
        r = http.post("/v1/tasks", json={"project": project["id"], "data": {"text": "x"},
                                         "colour": "red"})
        error = _error(r, 422, "invalid_input")
        assert error["details"]["fields"][0] == {  # type: ignore[index]
            "field": "colour", "message": "unknown field", "type": "extra_forbidden"}
        r = http.post("/v1/projects", json={"name": "p", "kind": "categorize",
                                            "params": {"labels": ["a"]},
                                            "quality": {"overlap": 2, "overlapp": 3}})
        error = _error(r, 422, "invalid_input")
        assert "quality.overlapp" in str(error["details"])
    assert _count(acme, project["id"]) == 0


def test_oversize_bodies_are_413_and_nothing_is_written(acme: Org) -> None:
    project = categorize_project(acme)
    big = [{"data": {"text": "x" * 1000}} for _ in range(40)]
    with acme.http() as http:
        r = http.post("/v1/tasks/bulk", json={"project": project["id"], "tasks": big})
        _error(r, 413, "body_too_large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
            yield b'{"project": "' + project["id"].encode() + b'", "tasks": ['
            for i in range(40):
                yield (b"," if i else b"") + b'{"data": {"text": "' + b"y" * 1000 + b'"}}'
            yield b"]}"

        r = http.post("/v1/tasks/bulk", content=chunks(),
                      headers={"Content-Type": "application/json"})
        _error(r, 413, "body_too_large")
    assert _count(acme, project["id"]) == 0


def test_a_bulk_with_one_bad_row_writes_nothing(acme: Org) -> None:
    project = categorize_project(acme)
    with acme.http() as http:
        rows = [{"data": {"text": "a"}}, {"data": "not an object"}, {"data": {"t": 1},
                                                                    "priority": "x"}]
        r = http.post("/v1/tasks/bulk", json={"project": project["id"], "tasks": rows})
        error = _error(r, 422, "invalid_input")
        assert [e["index"] for e in error["details"]["errors"]] == [1, 2]  # type: ignore[index]
        assert _count(acme, project["id"]) == 0
        r = http.post("/v1/tasks/bulk", json={"project": project["id"], "tasks": rows,
                                              "partial": True})
        assert r.status_code == 200
        assert r.json()["created"] == 1 and len(r.json()["errors"]) == 2
    assert _count(acme, project["id"]) == 1


def test_errors_are_json_everywhere(acme: Org) -> None:
    with acme.http() as http:
        _error(http.get("/v1/nowhere"), 404, "not_found")
        _error(http.delete("/v1/projects"), 405, "method_not_allowed")
        r = http.post("/v1/work/next", headers={"Authorization": "Bearer wt_bad"})
        _error(r, 401, "unauthorized")
