"""GET /v1/projects/{id}/duplicates as a job over a project's task data, over real HTTP on
SQLite and PostgreSQL: 202 with progress while it runs, then every planted near-duplicate
pair with its exact Jaccard similarity (checked against a brute-force count of shingle
sets), cancel-the-duplicates in one call keeping the oldest and leaving answered tasks,
bad input named, another organization's project hidden, erased tasks' pairs gone."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from itertools import combinations
from typing import Any

import httpx
import pytest

from assay.clock import utcnow
from assay.db.engine import Database
from assay.jobs import queue
from tests.support import Org, categorize_project

WORDS = [f"w{i}" for i in range(400)]


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i:i + 5]) for i in range(len(words) - 4)}


def _jaccard(x: str, y: str) -> float:
    a, b = _shingles(x), _shingles(y)
    return len(a & b) / len(a | b)


def _corpus(rng: random.Random) -> list[str]:
    """24 distinct documents of 60 words and, for 6 of them, a copy with one word changed
    (Jaccard about 0.8 to 0.9) or an exact copy."""
    docs = [" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(24)]
    for i in range(6):
        words = docs[i].split()
        if i % 3:
            words[rng.randrange(5, 55)] = "changed"
        docs.append(" ".join(words))
    return docs


def wait_done(http: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    seen_running = False
    for _ in range(600):
        r = http.get(path, params=params)
        if r.status_code == 202:
            body = r.json()
            assert body["status"] == "running" and 0.0 <= body["progress"] <= 1.0
            seen_running = True
            params.pop("refresh", None)
            time.sleep(0.05)
            continue
        assert r.status_code == 200, r.text
        body = r.json()
        body["seen_running"] = seen_running
        return dict(body)
    raise AssertionError("the duplicates run did not finish")


@pytest.fixture(scope="module")
def planted(org: Org) -> dict[str, Any]:
    project = categorize_project(org, name="dups")
    texts = _corpus(random.Random(7))
    ids = [org.client.create_task(project["id"], {"text": t})["id"] for t in texts]
    return {"project": project["id"], "texts": texts, "ids": ids}


def test_it_finds_every_pair_at_the_threshold_with_its_exact_similarity(
        org: Org, planted: dict[str, Any]) -> None:
    texts, ids = planted["texts"], planted["ids"]
    expected = {(ids[i], ids[j]): _jaccard(texts[i], texts[j])
                for i, j in combinations(range(len(texts)), 2)
                if _jaccard(texts[i], texts[j]) >= 0.8}
    assert len(expected) == 6
    with org.http() as http:
        path = f"/v1/projects/{planted['project']}/duplicates"
        first = http.get(path)
        assert first.status_code == 202, first.text
        assert first.json()["status"] == "running" and first.json()["total"] == len(ids)
        body = wait_done(http, path, limit=4)
        assert body["status"] == "done" and body["progress"] == 1.0
        pairs = body["docs"]
        while body["next_token"]:
            body = http.get(path, params={"limit": 4, "next_token": body["next_token"]}).json()
            pairs += body["docs"]
    found = {(p["a"], p["b"]): p["similarity"] for p in pairs}
    assert found.keys() == expected.keys()
    for key, similarity in expected.items():
        assert found[key] == pytest.approx(similarity, abs=1e-12)


def test_bad_input_and_other_organizations(org: Org, other_org: Org,
                                           planted: dict[str, Any]) -> None:
    path = f"/v1/projects/{planted['project']}/duplicates"
    with org.http() as http:
        for value in ("0", "1.5", "x"):
            r = http.get(path, params={"threshold": value})
            assert r.status_code == 422, r.text
            assert "threshold" in r.text
        r = http.get(path, params={"limit": 5000})
        assert r.status_code == 422 and "limit" in r.text
    with other_org.http() as http:
        assert http.get(path).status_code == 404
        assert http.post(path + "/cancel").status_code == 404


def test_cancel_keeps_the_oldest_and_answered_tasks(org: Org) -> None:
    project = categorize_project(org, name="dups-cancel")
    base = " ".join(WORDS[:30])
    ids = [org.client.create_task(project["id"], {"text": base})["id"] for _ in range(3)]
    other = org.client.create_task(project["id"], {"text": " ".join(WORDS[100:130])})["id"]
    worker = org.worker()
    offer = worker.next(project["id"])
    assert offer is not None  # the oldest task, ids[0]: same priority, oldest first
    path = f"/v1/projects/{project['id']}/duplicates"
    with org.http() as http:
        assert http.post(path + "/cancel").json()["error"]["code"] == "no_duplicates"
        pairs = wait_done(http, path)["docs"]
        assert {(p["a"], p["b"]) for p in pairs} == {(ids[0], ids[1]), (ids[0], ids[2]),
                                                     (ids[1], ids[2])}
        worker.submit(offer["assignment_id"], {"label": "pos"})
        # ids[1] and ids[2] are the newer copies; ids[0] (answered) stays either way.
        done = http.post(path + "/cancel").json()
        assert done["canceled"] == [ids[1], ids[2]] and done["not_canceled"] == []
        assert http.post(path + "/cancel").json()["canceled"] == []
    statuses = {t: org.client.get_task(t)["status"] for t in [*ids, other]}
    assert statuses == {ids[0]: "completed", ids[1]: "canceled", ids[2]: "canceled",
                        other: "pending"}


def test_erased_tasks_leave_no_pairs(org: Org, planted: dict[str, Any]) -> None:
    path = f"/v1/projects/{planted['project']}/duplicates"
    with org.http() as http:
        before = wait_done(http, path, limit=1000)["docs"]
        victim = before[0]["b"]
        assert http.delete(f"/v1/tasks/{victim}").status_code == 200
        after = wait_done(http, path, limit=1000)["docs"]
    assert len(after) == len(before) - sum(victim in (p["a"], p["b"]) for p in before)
    assert all(victim not in (p["a"], p["b"]) for p in after)


def test_a_long_run_keeps_its_job_claimed(db: Database) -> None:
    """A run's heartbeat (queue.extend_lease) keeps its job from being claimed again when the
    runner's lease would have run out. Times an hour ahead: the test server's runner, on the
    real clock, never finds this job due."""
    start = utcnow() + timedelta(hours=1)
    kinds = ["curation.test"]
    job_id = db.write(lambda s: queue.enqueue(s, "curation.test", {}, start))
    assert [j.id for j in db.write(lambda s: queue.claim_due(s, start, 10, 1.0,
                                                             kinds=kinds))] == [job_id]
    db.write(lambda s: queue.extend_lease(s, job_id, start, 60.0))
    later = start + timedelta(seconds=5)
    assert db.write(lambda s: queue.claim_due(s, later, 10, 1.0, kinds=kinds)) == []
    expired = start + timedelta(seconds=61)
    assert [j.id for j in db.write(lambda s: queue.claim_due(s, expired, 10, 1.0,
                                                             kinds=kinds))] == [job_id]
    db.write(lambda s: queue.finish(s, job_id, expired))
