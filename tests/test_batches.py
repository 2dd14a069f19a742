"""Batches: staging holds tasks back; finalize, pause, resume, cancel; completion."""

from __future__ import annotations

import pytest

from assay.client import Conflict
from tests.support import Org, categorize_project


def test_batch_lifecycle(org: Org) -> None:
    project = categorize_project(org)
    batch = org.client.create_batch(project["id"], "week-1")
    assert batch["status"] == "staging" and batch["id"].startswith("bat_")
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(3)],
                            batch=batch["id"])
    worker = org.worker()
    assert worker.next(project["id"]) is None  # staging: tasks wait
    assert org.client.finalize_batch(batch["id"])["status"] == "in_progress"
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    paused = org.client.pause_batch(batch["id"])
    assert paused["status"] == "paused"
    assert worker.next(project["id"]) is None  # unstarted tasks wait while paused
    org.client.resume_batch(batch["id"])
    while (offer := worker.next(project["id"])) is not None:
        worker.submit(offer["assignment_id"], {"label": "neg"})
    done = org.client.get_batch(batch["id"])
    assert done["status"] == "completed"
    assert done["counts"]["completed"] == 3
    with pytest.raises(Conflict):
        org.client.pause_batch(batch["id"])


def test_cancel_cancels_unanswered_tasks(org: Org) -> None:
    project = categorize_project(org)
    batch = org.client.create_batch(project["id"], "b")
    task = org.client.create_task(project["id"], {"n": 1}, batch=batch["id"])
    canceled = org.client.cancel_batch(batch["id"])
    assert canceled["status"] == "canceled" and canceled["counts"]["canceled"] == 1
    assert org.client.get_task(task["id"])["status"] == "canceled"
    with pytest.raises(Conflict):
        org.client.create_task(project["id"], {"n": 2}, batch=batch["id"])
