"""Active selection over real HTTP on SQLite and PostgreSQL: after POST .../order a worker
is offered the pending tasks whose prediction is least sure first (those without one
last), or, by diversity, one task of each cluster before a second of any; bad input named.
And the pure orders: margins, ties by index, farthest-point covering clusters first."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms.selection import diversity_order, uncertainty_order
from tests.support import Org, categorize_project
from tests.test_curation_search import TOPICS


def offered_texts(org: Org, project: str, n: int) -> list[str]:
    worker = org.worker()
    texts = []
    for _ in range(n):
        offer = worker.next(project)
        assert offer is not None
        texts.append(offer["data"]["text"])
        worker.submit(offer["assignment_id"], {"label": "pos"})
    return texts


def test_uncertainty_order_offers_the_least_sure_first(org: Org) -> None:
    project = categorize_project(org, name="order-u")["id"]
    margins = {"a": 0.8, "b": 0.0, "c": 0.4, "d": None, "e": 0.2}
    ids = {t: org.client.create_task(project, {"text": t})["id"] for t in margins}
    preds = [{"task_id": ids[t], "probabilities": {"pos": (1 + m) / 2, "neg": (1 - m) / 2}}
             for t, m in margins.items() if m is not None]
    with org.http() as http:
        assert http.post(f"/v1/projects/{project}/predictions",
                         json={"predictions": preds}).status_code == 200
        r = http.post(f"/v1/projects/{project}/order", json={"by": "sideways"})
        assert r.status_code == 422 and "by" in r.text
        done = http.post(f"/v1/projects/{project}/order", json={"by": "uncertainty"})
        assert done.json() == {"project": project, "order": "uncertainty", "ranked": 4,
                               "pending": 5}
        assert http.get(f"/v1/projects/{project}").json()["curation"]["order"] == \
            "uncertainty"
    assert offered_texts(org, project, 5) == ["b", "e", "c", "a", "d"]


def test_diversity_order_covers_every_cluster_first(org: Org) -> None:
    project = categorize_project(org, name="order-d",
                                 curation={"embedding_model": "hashing"})["id"]
    texts = [f"{TOPICS[0]} {i}" for i in range(4)] + [TOPICS[1], TOPICS[2]]
    for t in texts:
        org.client.create_task(project, {"text": t})
    with org.http() as http:
        for _ in range(600):
            r = http.post(f"/v1/projects/{project}/order", json={"by": "diversity"})
            if r.status_code == 200:
                break
            assert r.status_code == 202, r.text
        assert r.json()["ranked"] == 6
    first = offered_texts(org, project, 3)
    assert sum(t.startswith(TOPICS[0]) for t in first) == 1
    assert {TOPICS[1], TOPICS[2]} <= set(first)


def test_the_pure_orders() -> None:
    assert uncertainty_order([[0.5, 0.5], [0.7, 0.3], [0.5, 0.5]]).tolist() == [0, 2, 1]
    rng = np.random.default_rng(1)
    centres = np.eye(4, 16)
    points = np.repeat(centres, 25, axis=0) + rng.normal(0, 0.05, (100, 16))
    first = diversity_order(points, 4)
    assert sorted((first // 25).tolist()) == [0, 1, 2, 3]
    assert diversity_order(points).size == 100 and diversity_order(points, 0).size == 0
    with pytest.raises(ValueError):
        uncertainty_order([0.5, 0.5])
