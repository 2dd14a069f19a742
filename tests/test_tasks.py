"""Tasks: creation, idempotency, bulk semantics, filters and pagination, cancel."""

from __future__ import annotations

import threading

import httpx
import pytest

from assay.client import Conflict, ValidationFailed
from tests.support import Org, categorize_project


def test_unique_id_is_idempotent_with_409_and_the_existing_id(org: Org) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": "x"}, unique_id="row-1",
                                  metadata={"source": "crawl"})
    assert task["id"].startswith("tsk_") and task["metadata"] == {"source": "crawl"}
    with pytest.raises(Conflict) as excinfo:
        org.client.create_task(project["id"], {"text": "other"}, unique_id="row-1")
    assert excinfo.value.details["task_id"] == task["id"]
    assert len(list(org.client.iter_tasks(project=project["id"]))) == 1


def test_concurrent_creates_of_one_unique_id_make_one_task(org: Org) -> None:
    project = categorize_project(org)
    codes: list[int] = []
    barrier = threading.Barrier(12)

    def create() -> None:
        with org.http() as http:
            barrier.wait()
            r = http.post("/v1/tasks", json={"project": project["id"], "data": {"t": 1},
                                             "unique_id": "same"})
            codes.append(r.status_code)

    threads = [threading.Thread(target=create) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [201] + [409] * 11
    assert len(list(org.client.iter_tasks(project=project["id"]))) == 1


def test_bulk_reports_duplicates_without_failing(org: Org) -> None:
    project = categorize_project(org)
    org.client.create_task(project["id"], {"text": "x"}, unique_id="a")
    result = org.client.create_tasks(project["id"], [
        {"data": {"text": "1"}, "unique_id": "a"},
        {"data": {"text": "2"}, "unique_id": "b"},
        {"data": {"text": "3"}, "unique_id": "b"},
        {"data": {"text": "4"}},
    ])
    assert result["created"] == 2
    assert [d["index"] for d in result["duplicates"]] == [0, 2]
    assert result["errors"] == []
    by_uid = {t["unique_id"]: t["id"] for t in org.client.iter_tasks(project=project["id"])}
    assert result["duplicates"][1]["task_id"] == by_uid["b"]


def test_bulk_over_10000_items_is_refused(org: Org) -> None:
    project = categorize_project(org)
    with org.http() as http:
        r = http.post("/v1/tasks/bulk", json={"project": project["id"],
                                              "tasks": [{"data": {}}] * 10_001})
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_many_items"


def test_data_is_validated_by_kind_naming_the_field(org: Org) -> None:
    project = org.client.create_project(name="ner", kind="spans", params={"labels": ["ORG"]})
    with pytest.raises(ValidationFailed) as excinfo:
        org.client.create_task(project["id"], {"txt": "Acme"})
    assert excinfo.value.details["fields"][0]["field"].startswith("data")


def test_filters_and_pagination(org: Org) -> None:
    project = categorize_project(org)
    other = categorize_project(org, name="other")
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(7)])
    org.client.create_task(other["id"], {"n": 99})
    first = org.client.list_tasks(project=project["id"], limit=3)
    assert len(first["docs"]) == 3 and first["next_token"]
    all_ids = [t["id"] for t in org.client.iter_tasks(project=project["id"], page_size=3)]
    assert len(all_ids) == 7 and all_ids == sorted(all_ids)
    assert [t["data"]["n"] for t in org.client.iter_tasks(project=project["id"])] == \
        list(range(7))
    org.client.cancel_task(all_ids[0])
    canceled = list(org.client.iter_tasks(project=project["id"], status="canceled"))
    assert [t["id"] for t in canceled] == [all_ids[0]]
    later = list(org.client.iter_tasks(project=project["id"],
                                       updated_after=canceled[0]["created_at"]))
    assert all_ids[0] in [t["id"] for t in later]


def test_patch_and_cancel(org: Org) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": "x"})
    patched = org.client.update_task(task["id"], priority=7, metadata={"k": "v"})
    assert patched["priority"] == 7 and patched["metadata"] == {"k": "v"}
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    with pytest.raises(Conflict):
        org.client.cancel_task(task["id"])
    fresh = org.client.create_task(project["id"], {"text": "y"})
    assert org.client.cancel_task(fresh["id"])["status"] == "canceled"


def test_readiness_and_openapi_need_no_credentials(org: Org) -> None:
    assert httpx.get(org.url + "/healthz").json()["status"] == "ok"
    assert httpx.get(org.url + "/readyz").json()["status"] == "ready"
    spec = httpx.get(org.url + "/openapi.json").json()
    assert "/v1/work/{assignment_id}/submit" in spec["paths"]
