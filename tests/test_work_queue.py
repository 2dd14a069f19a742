"""The work endpoints: leases, overlap, skips, expiry, completion (SQLite and PostgreSQL)."""

from __future__ import annotations

import httpx
import pytest

from assay.client import Conflict, NotFound, ValidationFailed
from tests.support import Org, categorize_project


def test_it_completes_a_task_after_overlap_answers_by_plurality(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 3})
    task = org.client.create_task(project["id"], {"text": "great"})
    answers = ["pos", "neg", "pos"]
    for label in answers:
        worker = org.worker()
        offer = worker.next(project["id"])
        assert offer is not None and offer["data"] == {"text": "great"}
        assert offer["kind"] == "categorize" and offer["params"]["labels"] == ["pos", "neg", "neu"]
        assert "result" not in offer and "metadata" not in offer
        assert worker.submit(offer["assignment_id"], {"label": label})["status"] == "submitted"
    done = org.client.get_task(task["id"], include_responses=True)
    assert done["status"] == "completed"
    assert done["result"]["answer"] == {"label": "pos"}
    assert done["result"]["method"] == "plurality"
    assert done["result"]["n_responses"] == 3
    assert done["result"]["confidence"] == pytest.approx(2 / 3)
    assert len({r["worker_id"] for r in done["responses"]}) == 3
    assert done["completed_at"] is not None


def test_it_never_gives_a_worker_the_same_task_twice(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 2})
    org.client.create_tasks(project["id"], [{"data": {"text": str(i)}} for i in range(3)])
    worker = org.worker()
    seen = []
    while (offer := worker.next(project["id"])) is not None:
        seen.append(offer["data"]["text"])
        if len(seen) == 1:
            worker.skip(offer["assignment_id"], reason="unclear")
        else:
            worker.submit(offer["assignment_id"], {"label": "neu"})
    assert sorted(seen) == ["0", "1", "2"]


def test_next_returns_the_live_assignment_again(org: Org) -> None:
    project = categorize_project(org)
    org.client.create_tasks(project["id"], [{"data": {"text": str(i)}} for i in range(2)])
    worker = org.worker()
    first = worker.next(project["id"])
    again = worker.next(project["id"])
    assert first is not None and again is not None
    assert first["assignment_id"] == again["assignment_id"]


def test_it_answers_204_when_nothing_is_left(org: Org) -> None:
    project = categorize_project(org)
    worker = org.worker()
    response = httpx.post(f"{org.url}/v1/work/next", json={"project": project["id"]},
                          headers={"Authorization": worker._http.headers["Authorization"]})
    assert response.status_code == 204 and response.content == b""


def test_higher_priority_is_served_first(org: Org) -> None:
    project = categorize_project(org)
    org.client.create_task(project["id"], {"text": "low"}, priority=0)
    org.client.create_task(project["id"], {"text": "high"}, priority=10)
    offer = org.worker().next(project["id"])
    assert offer is not None and offer["data"]["text"] == "high"


def test_a_skip_returns_the_slot_to_another_worker(org: Org) -> None:
    project = categorize_project(org)
    org.client.create_task(project["id"], {"text": "x"})
    a, b = org.worker(), org.worker()
    offer = a.next(project["id"])
    assert offer is not None and b.next(project["id"]) is None
    assert a.skip(offer["assignment_id"], reason="broken", comment="404 image")["status"] == \
        "skipped"
    assert b.next(project["id"]) is not None
    assert a.next(project["id"]) is None


def test_an_invalid_answer_is_refused_and_the_assignment_stays_open(org: Org) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": "x"})
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    with pytest.raises(ValidationFailed) as excinfo:
        worker.submit(offer["assignment_id"], {"label": "maybe"})
    assert excinfo.value.details["fields"][0]["field"] == "answer.label"
    with pytest.raises(ValidationFailed) as excinfo:
        worker.submit(offer["assignment_id"], {"label": "pos", "extra": 1})
    assert org.client.get_task(task["id"])["status"] == "pending"
    worker.submit(offer["assignment_id"], {"label": "pos"})
    assert org.client.get_task(task["id"])["status"] == "completed"


def test_a_foreign_assignment_is_not_found(org: Org) -> None:
    project = categorize_project(org)
    org.client.create_task(project["id"], {"text": "x"})
    owner, thief = org.worker(), org.worker()
    offer = owner.next(project["id"])
    assert offer is not None
    with pytest.raises(NotFound):
        thief.submit(offer["assignment_id"], {"label": "pos"})
    with pytest.raises(NotFound):
        thief.skip(offer["assignment_id"])


def test_a_crowd_worker_sees_crowd_projects_only(org: Org, other_org: Org) -> None:
    private = categorize_project(org, name="private")
    crowd = categorize_project(other_org, name="crowd", workforce="crowd")
    org.client.create_task(private["id"], {"text": "secret"})
    other_org.client.create_task(crowd["id"], {"text": "public"})
    crowd_worker = org.worker(crowd=True)
    with pytest.raises(NotFound):
        crowd_worker.next(private["id"])
    offer = crowd_worker.next(crowd["id"])
    assert offer is not None and offer["data"] == {"text": "public"}
    team_worker = org.worker()
    with pytest.raises(NotFound):
        team_worker.next(crowd["id"])


def test_a_canceled_task_is_not_offered_and_cannot_be_answered(org: Org) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": "x"})
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    org.client.cancel_task(task["id"])
    with pytest.raises(Conflict) as excinfo:
        worker.submit(offer["assignment_id"], {"label": "pos"})
    assert excinfo.value.code == "task_canceled"
    assert org.worker().next(project["id"]) is None


def test_me_counts_the_workers_answers(org: Org) -> None:
    project = categorize_project(org)
    org.client.create_task(project["id"], {"text": "x"})
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    me = worker.me(project["id"])
    assert me["answers"] == 1 and me["status"] == "active"
    assert me["worker_id"].startswith("wrk_")


def test_rate_limit_answers_429_with_retry_after(org: Org) -> None:
    project = categorize_project(org, limits={"answers_per_minute": 1})
    org.client.create_tasks(project["id"], [{"data": {"text": str(i)}} for i in range(2)])
    worker = org.worker()
    first = worker.next(project["id"])
    assert first is not None
    worker.submit(first["assignment_id"], {"label": "pos"})
    second = worker.next(project["id"])
    assert second is not None
    from assay.client import RateLimited

    with pytest.raises(RateLimited) as excinfo:
        worker.submit(second["assignment_id"], {"label": "pos"})
    assert excinfo.value.headers is not None and excinfo.value.headers["retry-after"] == "60"


def test_submit_and_skip_can_bring_the_next_task(org: Org) -> None:
    project = categorize_project(org)
    org.client.create_tasks(project["id"], [{"data": {"text": str(i)}} for i in range(3)])
    worker = org.worker()
    first = worker.next(project["id"])
    assert first is not None
    receipt = worker.submit(first["assignment_id"], {"label": "pos"}, next=True)
    assert receipt["status"] == "submitted"
    second = receipt["next"]
    assert second is not None and second["data"]["text"] == "1"
    assert worker.next(project["id"]) == second  # it is the worker's live assignment
    with org.http() as http:
        token = worker._http.headers["Authorization"]
        skipped = http.post(f"/v1/work/{second['assignment_id']}/skip", json={"next": True},
                            headers={"Authorization": token}).json()
    assert skipped["status"] == "skipped" and skipped["next"]["data"]["text"] == "2"
    last = worker.submit(skipped["next"]["assignment_id"], {"label": "neg"}, next=True)
    assert last["next"] is None
