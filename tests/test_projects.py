"""Projects: defaults, validation by kind, PATCH rules, pagination."""

from __future__ import annotations

import pytest

from assay.client import Conflict, ValidationFailed
from tests.support import Org, categorize_project


def test_create_fills_every_default(org: Org) -> None:
    project = org.client.create_project(name="p", kind="categorize",
                                        params={"labels": ["a", "b"]})
    assert project["id"].startswith("prj_")
    assert project["quality"] == {"overlap": 1, "max_overlap": 1, "target_confidence": 0.0,
                                  "gold_rate": 0.0, "min_worker_accuracy": 0.0,
                                  "review_rate": 0.0, "second_review_rate": 0.0,
                                  "resettle": True}
    assert project["pay"] == {"per_task": "0", "training_per_task": "0", "currency": "USD"}
    assert project["workforce"] == "private" and project["lease_seconds"] == 600
    assert project["limits"] == {"answers_per_minute": None, "min_seconds_per_task": None,
                                 "undo_seconds": None}
    assert project["params"] == {"labels": ["a", "b"], "multiple": False}
    assert project["counts"] == {"pending": 0, "completed": 0, "canceled": 0, "error": 0}
    assert project["created_at"].endswith("Z")
    assert org.client.get_project(project["id"]) == project


@pytest.mark.parametrize("kind,params", [
    ("categorize", {"labels": ["x"]}), ("spans", {"labels": ["ORG"]}),
    ("boxes", {"labels": ["car"]}), ("compare", {"allow_tie": True}),
    ("rate", {"min": 1, "max": 7}), ("text", {"max_length": 50}),
])
def test_every_kind_can_be_created(org: Org, kind: str, params: dict[str, object]) -> None:
    project = org.client.create_project(name=kind, kind=kind, params=params)
    assert project["kind"] == kind


def test_max_overlap_below_overlap_is_422(org: Org) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        categorize_project(org, quality={"overlap": 3, "max_overlap": 2})
    assert excinfo.value.details["fields"][0]["field"] == "quality.max_overlap"
    project = categorize_project(org, quality={"overlap": 2, "max_overlap": 4})
    with pytest.raises(ValidationFailed):
        org.client.update_project(project["id"], quality={"max_overlap": 1})


def test_patch_merges_quality_and_pay_field_by_field(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 2, "gold_rate": 0.1},
                                 pay={"per_task": "0.05", "currency": "EUR"})
    patched = org.client.update_project(project["id"], quality={"overlap": 3},
                                        pay={"per_task": "0.07"}, name="renamed")
    assert patched["quality"]["overlap"] == 3 and patched["quality"]["max_overlap"] == 3
    assert patched["quality"]["gold_rate"] == 0.1
    assert patched["pay"] == {"per_task": "0.07", "training_per_task": "0", "currency": "EUR"}
    assert patched["name"] == "renamed"


def test_money_must_be_a_decimal_string(org: Org) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        categorize_project(org, pay={"per_task": "five cents"})
    assert "pay.per_task" in str(excinfo.value.details)


def test_labels_can_be_added_but_not_removed_when_used(org: Org) -> None:
    project = categorize_project(org)
    org.client.create_task(project["id"], {"text": "x"})
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "neg"})
    added = org.client.update_project(project["id"],
                                      params={"labels": ["pos", "neg", "neu", "mixed"]})
    assert added["params"]["labels"][-1] == "mixed"
    removed = org.client.update_project(project["id"], params={"labels": ["pos", "neg"]})
    assert removed["params"]["labels"] == ["pos", "neg"]  # neu, mixed unused
    with pytest.raises(Conflict) as excinfo:
        org.client.update_project(project["id"], params={"labels": ["pos"]})
    assert excinfo.value.code == "label_in_use"
    assert excinfo.value.details["labels"] == ["neg"]


def test_raising_overlap_reopens_slots_of_pending_tasks(org: Org) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": "x"})
    org.client.update_project(project["id"], quality={"overlap": 2})
    first, second = org.worker(), org.worker()
    for worker in (first, second):
        offer = worker.next(project["id"])
        assert offer is not None
        worker.submit(offer["assignment_id"], {"label": "pos"})
    assert org.client.get_task(task["id"])["result"]["n_responses"] == 2


def test_list_pages_in_creation_order(org: Org) -> None:
    ids = [categorize_project(org, name=f"p{i}")["id"] for i in range(5)]
    page = org.client.list_projects(limit=2)
    assert len(page["docs"]) == 2 and page["next_token"]
    listed = [p["id"] for p in org.client.iter_projects(page_size=2)]
    assert [i for i in listed if i in ids] == ids
    assert listed == sorted(listed)
