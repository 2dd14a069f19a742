"""The OpenAPI document describes what the server really answers."""

from __future__ import annotations

import httpx

from assay.http.documents import (
    BatchDoc,
    BulkResult,
    ErrorDoc,
    ProjectDoc,
    ProjectPage,
    TaskDoc,
    TaskPage,
    WorkerStanding,
)
from assay.work.schemas import Offer, SubmitOut
from tests.support import Org, categorize_project


def test_real_answers_match_their_documents(org: Org) -> None:
    project = categorize_project(org)
    ProjectDoc.model_validate(project)
    ProjectPage.model_validate(org.client.list_projects())
    bulk = org.client.create_tasks(project["id"], [{"data": {"t": 1}, "unique_id": "a"},
                                                   {"data": {"t": 2}, "unique_id": "a"}])
    BulkResult.model_validate(bulk)
    batch = org.client.create_batch(project["id"], "b")
    BatchDoc.model_validate(batch)
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    Offer.model_validate(offer)
    SubmitOut.model_validate(worker.submit(offer["assignment_id"], {"label": "pos"}))
    WorkerStanding.model_validate(worker.me())
    task = org.client.list_tasks(project=project["id"], include="responses")
    TaskPage.model_validate(task)
    TaskDoc.model_validate(task["docs"][0])
    with org.http() as http:
        ErrorDoc.model_validate(http.get("/v1/tasks/tsk_missing").json())


def test_every_route_documents_its_answers(org: Org) -> None:
    spec = httpx.get(org.url + "/openapi.json").json()
    for path, operations in spec["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert codes & {"200", "201"}, (method, path)
            assert "4XX" in codes, (method, path)
            assert "5XX" in codes, (method, path)  # 500 with the request id, 503 keys
            success = operation["responses"].get("200") or operation["responses"]["201"]
            assert success.get("content"), (method, path)
