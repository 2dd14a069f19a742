"""Customer audits: accept, fix (the result changes and the callback fires again), reject."""

from __future__ import annotations

import pytest

from assay.client import Conflict, ValidationFailed
from tests.support import Org, categorize_project
from tests.test_callbacks import Receiver, _wait


def _completed(org: Org, project_id: str) -> str:
    task = org.client.create_task(project_id, {"text": "x"})
    worker = org.worker()
    offer = worker.next(project_id)
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    return str(task["id"])


def test_accept_fix_and_reject(org: Org) -> None:
    receiver = Receiver()
    try:
        project = categorize_project(org, callback_url=receiver.url)
        elsewhere = categorize_project(org, name="unanswered")
        pending = org.client.create_task(elsewhere["id"], {"text": "not yet"})
        with pytest.raises(Conflict) as excinfo:
            org.client.audit_task(pending["id"], True)
        assert excinfo.value.code == "task_not_completed"

        accepted = _completed(org, project["id"])
        assert org.client.audit_task(accepted, True)["review_status"] == "accepted"

        fixed_id = _completed(org, project["id"])
        _wait(lambda: org.client.get_task(fixed_id)["callback_succeeded"] is True)
        calls_before = len(receiver.calls)
        with pytest.raises(ValidationFailed):
            org.client.audit_task(fixed_id, False, {"label": "nonsense"})
        fixed = org.client.audit_task(fixed_id, False, {"label": "neg"}, "it is a complaint")
        assert fixed["review_status"] == "fixed"
        assert fixed["result"]["answer"] == {"label": "neg"}
        assert fixed["result"]["method"] == "audit" and fixed["result"]["confidence"] == 1.0
        _wait(lambda: len(receiver.calls) > calls_before)
        assert b'"neg"' in receiver.calls[-1][1]

        rejected = _completed(org, project["id"])
        result_before = org.client.get_task(rejected)["result"]
        after = org.client.audit_task(rejected, False, comment="wrong")
        assert after["review_status"] == "rejected" and after["result"] == result_before
    finally:
        receiver.close()
