"""Predictions and suspects over real HTTP on SQLite and PostgreSQL: a project with planted
label errors and a model that is wrong on a few correctly labelled tasks; confident
learning lists exactly the planted errors and the model's mistakes; bad predictions are
refused naming the row, all or nothing; the suspects go to review in one call, reviewers fix
the real errors, and the project's precision figure is errors / reviewed; erasing a task
or the project takes its predictions and suspects."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from assay.db.engine import Database
from assay.db.models import Prediction, Suspect
from tests.support import Org, categorize_project

LABELS = ["pos", "neg", "neu"]
N = 30
PLANTED = {3, 7, 11, 15, 19, 23}   # the worker's answer is wrong
MODEL_WRONG = {5, 13, 21}          # the label is right, the model is confidently wrong


def truth(i: int) -> str:
    return LABELS[i % 3]


def other(label: str) -> str:
    return LABELS[(LABELS.index(label) + 1) % 3]


def probs(best: str) -> dict[str, float]:
    return {label: 0.8 if label == best else 0.1 for label in LABELS}


@pytest.fixture(scope="module")
def labelled(org: Org) -> dict[str, Any]:
    project = categorize_project(org, name="suspects",
                                 quality={"overlap": 1, "min_worker_accuracy": 0})
    ids = [org.client.create_task(project["id"], {"text": f"item {i}"})["id"]
           for i in range(N)]
    worker = org.worker()
    for _ in range(N):
        offer = worker.next(project["id"])
        assert offer is not None
        i = int(offer["data"]["text"].split()[1])
        answer = other(truth(i)) if i in PLANTED else truth(i)
        worker.submit(offer["assignment_id"], {"label": answer})
    return {"project": project["id"], "ids": ids}


def test_bad_predictions_are_refused_naming_the_row_and_nothing_is_stored(
        org: Org, other_org: Org, labelled: dict[str, Any]) -> None:
    ids, path = labelled["ids"], f"/v1/projects/{labelled['project']}/predictions"
    foreign = categorize_project(org, name="elsewhere")
    foreign_task = org.client.create_task(foreign["id"], {"text": "x"})["id"]
    good = {"task_id": ids[0], "probabilities": probs("neg")}  # would make ids[0] a suspect
    cases = [
        ({"task_id": ids[1], "probabilities": {"maybe": 1.0}},
         "predictions[1].probabilities.maybe"),
        ({"task_id": ids[1], "probabilities": {"pos": 0.5}}, "predictions[1].probabilities"),
        ({"task_id": ids[1], "probabilities": {"pos": 1.5, "neg": -0.5}},
         "predictions[1].probabilities.pos"),
        ({"task_id": ids[1], "probabilities": {"pos": "0.5"}},
         "predictions[1].probabilities.pos"),
        ({"task_id": ids[1], "probabilities": {"pos": True}},
         "predictions[1].probabilities.pos"),
        ({"task_id": foreign_task, "probabilities": probs("pos")}, "predictions[1].task_id"),
        ({"task_id": ids[0], "probabilities": probs("pos")}, "predictions[1].task_id"),
        ({"task_id": ids[1]}, "predictions[1].probabilities"),
    ]
    with org.http() as http:
        for row, field in cases:
            r = http.post(path, json={"predictions": [good, row]})
            assert r.status_code == 422, (row, r.text)
            fields = [f["field"] for f in r.json()["error"]["details"]["fields"]]
            assert field in fields, (row, fields)
        assert http.post(path, json={"predictions": []}).status_code == 422
        assert http.get(f"/v1/projects/{labelled['project']}/suspects",
                        params={"source": "predictions"}).json()["docs"] == []
    with other_org.http() as http:
        assert http.post(path, json={"predictions": [good]}).status_code == 404


def test_suspects_find_the_planted_errors_and_review_gives_the_precision(
        org: Org, labelled: dict[str, Any]) -> None:
    ids, project = labelled["ids"], labelled["project"]
    predictions = [{"task_id": ids[i], "probabilities": probs(
        other(truth(i)) if i in MODEL_WRONG else truth(i))} for i in range(N)]
    with org.http() as http:
        stored = http.post(f"/v1/projects/{project}/predictions",
                           json={"predictions": predictions})
        assert stored.status_code == 200 and stored.json()["stored"] == N, stored.text
        page = http.get(f"/v1/projects/{project}/suspects",
                        params={"source": "predictions", "limit": 4}).json()
        docs = page["docs"]
        while page["next_token"]:
            page = http.get(f"/v1/projects/{project}/suspects",
                            params={"source": "predictions", "limit": 4,
                                    "next_token": page["next_token"]}).json()
            docs += page["docs"]
        assert page["precision"]["sent"] == 0 and page["precision"]["precision"] is None
        flagged = {ids.index(d["task"]) for d in docs}
        assert flagged == PLANTED | MODEL_WRONG
        for d in docs:
            i = ids.index(d["task"])
            assert d["reason"] == "confident_learning" and d["source"] == "predictions"
            assert d["suggested"] == (truth(i) if i in PLANTED else other(truth(i)))
            assert d["score"] == pytest.approx(0.9)
        models = http.get(f"/v1/projects/{project}/suspects",
                          params={"source": "worker_models"}).json()["docs"]
        assert all(d["source"] == "worker_models" for d in models)

        r = http.post(f"/v1/projects/{project}/suspects/review",
                      json={"task_ids": [ids[0]]})
        assert r.status_code == 422 and "task_ids[0]" in r.text
        sent = http.post(f"/v1/projects/{project}/suspects/review",
                         json={"source": "predictions"}).json()["sent"]
        assert {ids.index(t) for t in sent} == PLANTED | MODEL_WRONG
        assert http.get(f"/v1/projects/{project}/suspects",
                        params={"source": "predictions"}).json()["docs"] == []

    reviewer = org.worker()
    org.client.add_reviewer(project, reviewer.me()["worker_id"])
    reviewed = 0
    while (item := reviewer.next_review(project)) is not None:
        i = ids.index(item["task_id"])
        if i in PLANTED:
            reviewer.review(item["task_id"], "fix", {"label": truth(i)})
        else:
            reviewer.review(item["task_id"], "accept")
        reviewed += 1
    assert reviewed == len(PLANTED | MODEL_WRONG)
    with org.http() as http:
        figures = http.get(f"/v1/projects/{project}/suspects").json()["precision"]
    assert figures["sent"] == figures["reviewed"] == len(PLANTED | MODEL_WRONG)
    assert figures["errors"] == len(PLANTED)
    assert figures["precision"] == round(len(PLANTED) / len(PLANTED | MODEL_WRONG), 4)
    assert figures["by_source"]["predictions"]["errors"] == len(PLANTED)


def test_erasure_takes_predictions_and_suspects(org: Org, db: Database,
                                                labelled: dict[str, Any]) -> None:
    ids, project = labelled["ids"], labelled["project"]

    def rows(model: Any, **where: Any) -> int:
        with db.read() as s:
            return int(s.scalar(select(func.count()).select_from(model).filter_by(**where)))

    assert rows(Prediction, task_id=ids[3]) == 1 and rows(Suspect, task_id=ids[3]) == 1
    with org.http() as http:
        assert http.delete(f"/v1/tasks/{ids[3]}").status_code == 200
        assert rows(Prediction, task_id=ids[3]) == rows(Suspect, task_id=ids[3]) == 0
        assert rows(Prediction, project_id=project) == N - 1
        assert http.delete(f"/v1/projects/{project}").status_code == 200
    assert rows(Prediction, project_id=project) == rows(Suspect, project_id=project) == 0
