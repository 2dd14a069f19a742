"""Model endpoints: create, list, read, change, delete; names, address rules, roles,
isolation, and the API key never leaving the server or lying in the database in clear."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from assay.db.engine import Database
from assay.models.schemas import ModelDoc, ModelPage
from assay.models.standin import StandIn
from tests.support import Org

SECRET = "sk-live-Zq9xVv3UNIQUEsecret0001"


def _create(http: httpx.Client, standin: StandIn, **body: Any) -> httpx.Response:
    payload = {"name": "llama", "base_url": standin.base_url, "model": "echo", **body}
    return http.post("/v1/models", json=payload)


def _fields(response: httpx.Response) -> set[str]:
    return {f["field"] for f in response.json()["error"]["details"]["fields"]}


def test_it_creates_reads_lists_changes_and_deletes(org: Org, model_standin: StandIn) -> None:
    with org.http() as http:
        made = _create(http, model_standin, name="crud", api_key=SECRET,
                       params={"temperature": 0.7, "max_tokens": 512})
        assert made.status_code == 201, made.text
        doc = made.json()
        ModelDoc.model_validate(doc)
        assert doc["id"].startswith("mdl_") and doc["has_api_key"] is True
        assert "api_key" not in doc
        assert doc["params"]["temperature"] == 0.7 and doc["params"]["timeout_s"] == 60
        assert doc["params"]["max_concurrency"] == 8 and doc["prices"] is None
        assert http.get(f"/v1/models/{doc['id']}").json() == doc
        second = _create(http, model_standin, name="crud-2").json()
        assert second["has_api_key"] is False
        first_page = http.get("/v1/models", params={"limit": 1}).json()
        ModelPage.model_validate(first_page)
        assert [d["id"] for d in first_page["docs"]] == [doc["id"]]
        rest = http.get("/v1/models", params={"next_token": first_page["next_token"]}).json()
        assert second["id"] in [d["id"] for d in rest["docs"]]
        assert doc["id"] not in [d["id"] for d in rest["docs"]]

        changed = http.patch(f"/v1/models/{doc['id']}", json={
            "name": "crud-renamed", "params": {"max_tokens": None, "timeout_s": 5},
            "prices": {"input": "0.15", "output": "0.60"}})
        assert changed.status_code == 200, changed.text
        body = changed.json()
        assert body["name"] == "crud-renamed" and body["has_api_key"] is True
        assert body["params"]["temperature"] == 0.7 and "max_tokens" not in body["params"]
        assert body["params"]["timeout_s"] == 5
        assert body["prices"] == {"input": "0.15", "output": "0.60", "currency": "USD"}
        keyless = http.patch(f"/v1/models/{doc['id']}", json={"api_key": None}).json()
        assert keyless["has_api_key"] is False and keyless["name"] == "crud-renamed"

        gone = http.delete(f"/v1/models/{doc['id']}")
        assert gone.status_code == 200 and gone.json() == {"id": doc["id"], "deleted": True}
        audit = http.get("/v1/audit", params={"object": doc["id"]}).json()["docs"]
        assert [e["action"] for e in audit] == ["model.create", "model.update",
                                                "model.update", "model.delete"]
        assert SECRET not in str(audit)
        assert http.get(f"/v1/models/{doc['id']}").status_code == 404
        assert http.delete(f"/v1/models/{doc['id']}").status_code == 404


def test_it_refuses_a_second_model_of_the_same_name(org: Org, model_standin: StandIn) -> None:
    with org.http() as http:
        first = _create(http, model_standin, name="twin").json()
        again = _create(http, model_standin, name="twin")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "duplicate_name"
        other = _create(http, model_standin, name="twin-b").json()
        clash = http.patch(f"/v1/models/{other['id']}", json={"name": "twin"})
        assert clash.status_code == 409
        assert http.get(f"/v1/models/{other['id']}").json()["name"] == "twin-b"
        assert http.get(f"/v1/models/{first['id']}").json()["name"] == "twin"


def test_racing_creators_of_one_name_get_one_model(org: Org,
                                                   model_standin: StandIn) -> None:
    """Eight threads create the same name at once: one 201, seven 409 (the unique
    constraint answers a race the check did not see), never a 500."""
    barrier = threading.Barrier(8)
    answers: list[httpx.Response] = []

    def create() -> None:
        with org.http() as http:
            barrier.wait()
            answers.append(_create(http, model_standin, name="raced"))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [201] + [409] * 7, \
        [a.text for a in answers]
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} == \
        {"duplicate_name"}
    with org.http() as http:
        names = [d["name"] for d in http.get("/v1/models", params={"limit": 1000}).json()["docs"]]
    assert names.count("raced") == 1


def test_bad_input_names_the_field(org: Org, model_standin: StandIn) -> None:
    with org.http() as http:
        cases = [
            ({"name": "x", "model": "m"}, {"base_url"}),
            ({"name": "x", "base_url": model_standin.base_url, "model": "m",
              "colour": "red"}, {"colour"}),
            ({"name": "x", "base_url": model_standin.base_url, "model": "m",
              "params": {"temperature": 5}}, {"params.temperature"}),
            ({"name": "x", "base_url": model_standin.base_url, "model": "m",
              "params": {"nucleus": 1}}, {"params.nucleus"}),
            ({"name": "x", "base_url": model_standin.base_url, "model": "m",
              "prices": {"input": "cheap", "output": "1"}}, {"prices.input"}),
            ({"name": "", "base_url": model_standin.base_url, "model": "m"}, {"name"}),
            ({"name": "x", "base_url": "ftp://files.example.com/v1", "model": "m"},
             {"base_url"}),
        ]
        for body, fields in cases:
            answer = http.post("/v1/models", json=body)
            assert answer.status_code == 422, (body, answer.text)
            assert _fields(answer) == fields, (body, answer.text)
        made = _create(http, model_standin, name="patchable").json()
        for patch, fields in (({"name": None}, {"name"}), ({"params": {"max_tokens": 0}},
                                                            {"params.max_tokens"})):
            answer = http.patch(f"/v1/models/{made['id']}", json=patch)
            assert answer.status_code == 422 and _fields(answer) == fields, answer.text
        assert http.get("/v1/models", params={"limit": 0}).status_code == 422
        assert http.get("/v1/models", params={"next_token": "nope"}).status_code == 422
        names = [d["name"] for d in http.get("/v1/models", params={"limit": 1000}).json()["docs"]]
        assert "x" not in names and "" not in names


def test_internal_addresses_are_refused_unless_allowed(org: Org,
                                                       model_standin: StandIn) -> None:
    """127.0.0.1 is allowed by ASSAY_ALLOWED_MODEL_HOSTS here; every other internal
    address is not, at create and at change."""
    with org.http() as http:
        for url in ("http://10.0.0.7:8000/v1", "http://169.254.169.254/v1",
                    "http://[::ffff:192.168.1.1]/v1", "http://localhost:1/v1"):
            answer = http.post("/v1/models", json={"name": "inside", "base_url": url,
                                                   "model": "m"})
            assert answer.status_code == 422, (url, answer.text)
            assert answer.json()["error"]["code"] == "base_url_refused"
            assert _fields(answer) == {"base_url"}
            assert "ASSAY_ALLOWED_MODEL_HOSTS" in answer.json()["error"]["message"]
        public = http.post("/v1/models", json={"name": "public",
                                               "base_url": "https://api.openai.com/v1",
                                               "model": "gpt-4o-mini"})
        assert public.status_code == 201, public.text
        moved = http.patch(f"/v1/models/{public.json()['id']}",
                           json={"base_url": "http://192.168.0.10:11434/v1"})
        assert moved.status_code == 422
        kept = http.get(f"/v1/models/{public.json()['id']}").json()
        assert kept["base_url"] == "https://api.openai.com/v1"


def test_the_api_key_is_never_returned_nor_stored_in_clear(org: Org, db: Database,
                                                           db_url: str,
                                                           model_standin: StandIn) -> None:
    with org.http() as http:
        made = _create(http, model_standin, name="keyed", api_key=SECRET)
        model_id = made.json()["id"]
        answers = [made, http.get(f"/v1/models/{model_id}"), http.get("/v1/models"),
                   http.patch(f"/v1/models/{model_id}", json={"model": "echo"}),
                   http.get(f"/v1/models/{model_id}/usage"),
                   http.get("/openapi.json")]
        for answer in answers:
            assert SECRET not in answer.text
    with db.read() as session:
        sealed = session.execute(text("SELECT api_key FROM models WHERE id = :id"),
                                 {"id": model_id}).scalar_one()
        dump = " ".join(str(r) for r in session.execute(text("SELECT * FROM models")))
    assert sealed and SECRET.encode() not in bytes(sealed) and SECRET not in dump
    if db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                assert SECRET.encode() not in file.read_bytes()


def test_other_organizations_models_are_missing(org: Org, other_org: Org,
                                                model_standin: StandIn) -> None:
    with org.http() as http:
        mine = _create(http, model_standin, name="private-model").json()
    missing = "mdl_00000000000000000000000a"
    with other_org.http() as intruder:
        assert mine["id"] not in intruder.get("/v1/models").text
        for method, suffix, body in (("GET", "", None), ("PATCH", "", {"name": "stolen"}),
                                     ("DELETE", "", None), ("POST", "/test", None),
                                     ("GET", "/usage", None)):
            foreign = intruder.request(method, f"/v1/models/{mine['id']}{suffix}", json=body)
            absent = intruder.request(method, f"/v1/models/{missing}{suffix}", json=body)
            assert foreign.status_code == absent.status_code == 404, (method, suffix)
            assert foreign.content.replace(mine["id"].encode(), b"<id>") == \
                absent.content.replace(missing.encode(), b"<id>")
    with org.http() as http:
        assert http.get(f"/v1/models/{mine['id']}").json() == mine


def test_a_viewer_reads_models_but_changes_none(org: Org, model_standin: StandIn) -> None:
    with org.http() as http:
        made = _create(http, model_standin, name="viewed").json()
        key = http.post("/v1/org/keys", json={"name": "look", "role": "viewer"}).json()["key"]
    calls_before = model_standin.requests
    with httpx.Client(base_url=org.url, headers={"Authorization": f"Bearer {key}"}) as viewer:
        assert viewer.get(f"/v1/models/{made['id']}").status_code == 200
        assert viewer.get(f"/v1/models/{made['id']}/usage").status_code == 200
        for method, path, body in (("POST", "/v1/models", {"name": "v", "model": "m",
                                                           "base_url": model_standin.base_url}),
                                   ("PATCH", f"/v1/models/{made['id']}", {"name": "v"}),
                                   ("DELETE", f"/v1/models/{made['id']}", None),
                                   ("POST", f"/v1/models/{made['id']}/test", None)):
            answer = viewer.request(method, path, json=body)
            assert answer.status_code == 403, (method, path)
            assert answer.json()["error"]["code"] == "forbidden_role"
    assert model_standin.requests == calls_before  # the viewer's test call never left
