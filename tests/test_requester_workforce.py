"""A requester pauses a worker of their project with a reason, resumes them, and decides
their appeal, through the API (SQLite and PostgreSQL); another organization cannot."""

from __future__ import annotations

import pytest

from assay.client import Forbidden
from tests.support import Org, categorize_project


def _post(org: Org, path: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    with org.http() as http:
        r = http.post(path, json=body)
    return r.status_code, r.json()


def test_pause_resume_and_appeal_by_the_requester(org: Org, other_org: Org) -> None:
    project = categorize_project(org)
    org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}"}} for i in range(4)])
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    wid = worker.me()["worker_id"]
    base = f"/v1/projects/{project['id']}/workers/{wid}"
    assert _post(other_org, base + "/pause", {"note": "mine now"})[0] == 404
    assert _post(org, base + "/pause", {"note": ""})[0] == 422
    status, paused = _post(org, base + "/pause", {"note": "labels look random"})
    assert status == 200 and paused["status"] == "paused"
    assert _post(org, base + "/pause", {"note": "again"})[1]["error"]["code"] == "already_paused"
    with pytest.raises(Forbidden):
        worker.next(project["id"])
    report = org.client._call("GET", f"/v1/projects/{project['id']}/workers")["docs"]
    assert [w["status"] for w in report if w["worker_id"] == wid] == ["paused"]
    assert _post(org, base + "/appeal", {"grant": True})[0] == 404  # none filed yet
    appeal = worker._call("POST", "/v1/work/appeals",
                          json={"project": project["id"], "message": "I was careful"})
    status, decided = _post(org, base + "/appeal", {"grant": True, "note": "fair"})
    assert status == 200 and decided["id"] == appeal["id"] and decided["status"] == "granted"
    assert _post(org, base + "/appeal", {"grant": False})[1]["error"]["code"] == "decided"
    assert worker.next(project["id"]) is not None  # the pause is lifted
    assert _post(org, base + "/resume", {})[1]["error"]["code"] == "not_paused"
    _post(org, base + "/pause", {"note": "once more"})
    status, resumed = _post(org, base + "/resume", {"note": "ok"})
    assert status == 200 and resumed["status"] == "active"
    never = org.worker().me()["worker_id"]
    missing = f"/v1/projects/{project['id']}/workers/{never}/pause"
    assert _post(org, missing, {"note": "x"})[0] == 404
