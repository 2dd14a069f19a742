"""Export: JSONL and CSV, every status, responses on request, one consistent snapshot."""

from __future__ import annotations

import csv
import io
import json

from tests.support import Org, categorize_project


def _complete(org: Org, project_id: str, label: str) -> None:
    worker = org.worker()
    offer = worker.next(project_id)
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": label})


def test_jsonl_and_csv_hold_every_task(org: Org) -> None:
    project = categorize_project(org)
    org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}"}, "unique_id": f"u{i}"}
                                            for i in range(5)])
    _complete(org, project["id"], "neg")
    canceled = list(org.client.iter_tasks(project=project["id"], status="pending"))[-1]
    org.client.cancel_task(canceled["id"])

    objects = list(org.client.iter_export(project["id"], include_responses=True))
    assert [o["unique_id"] for o in objects] == [f"u{i}" for i in range(5)]
    assert {o["status"] for o in objects} == {"completed", "pending", "canceled"}
    done = next(o for o in objects if o["status"] == "completed")
    assert done["result"]["answer"] == {"label": "neg"}
    assert done["responses"][0]["answer"] == {"label": "neg"}

    raw = b"".join(org.client.export(project["id"], format="csv")).decode()
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert list(rows[0]) == ["id", "status", "unique_id", "data", "metadata", "answer",
                             "confidence", "method", "n_responses"]
    assert len(rows) == 5
    first = rows[0]
    assert json.loads(first["data"]) == {"text": "t0"}
    assert json.loads(first["answer"]) == {"label": "neg"}
    assert first["method"] == "plurality" and first["n_responses"] == "1"
    assert float(first["confidence"]) == 1.0


def test_an_export_is_a_snapshot(org: Org) -> None:
    project = categorize_project(org)
    padding = "x" * 2000
    org.client.create_tasks(project["id"], [{"data": {"text": padding, "n": i}}
                                            for i in range(4000)])
    with org.http() as http, http.stream(
            "GET", f"/v1/projects/{project['id']}/export") as response:
        chunks = response.iter_bytes()
        body = next(chunks)
        # Written while the export streams: not part of it.
        org.client.create_tasks(project["id"], [{"data": {"text": "late", "n": -1}}])
        body += b"".join(chunks)
    lines = [json.loads(line) for line in body.splitlines() if line.strip()]
    assert len(lines) == 4000
    assert all(line["data"]["n"] >= 0 for line in lines)
    assert len(list(org.client.iter_tasks(project=project["id"]))) == 4001


def test_a_both_bad_verdict_is_stored_aggregated_and_exported(org: Org) -> None:
    """compare's allow_both_bad through the server: the answer is accepted, the task's
    result says both_bad, the CSV export shows it, and the option cannot be turned off
    while an answer uses it."""
    project = org.client.create_project(name="pairs", kind="compare",
                                        params={"allow_both_bad": True})
    assert project["params"]["allow_both_bad"] is True
    task = org.client.create_task(project["id"], {"prompt": "p", "a": "x", "b": "y"})
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None and offer["params"]["allow_both_bad"] is True
    worker.submit(offer["assignment_id"], {"choice": "both_bad"})
    assert org.client.get_task(task["id"])["result"]["answer"] == {"choice": "both_bad"}
    raw = b"".join(org.client.export(project["id"], format="csv")).decode()
    assert json.loads(next(csv.DictReader(io.StringIO(raw)))["answer"]) == {"choice": "both_bad"}
    with org.http() as http:
        refused = http.patch(f"/v1/projects/{project['id']}",
                             json={"params": {"allow_both_bad": False}})
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["labels"] == ["both_bad"]
