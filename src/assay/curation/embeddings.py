"""Embeddings of a project's task texts, and semantic search over them.

Computed by a job (``curation.embeddings``) for the curated tasks that have no vector by
the project's model yet: a task whose text (by its SHA-256) this organization has embedded
before with the same model reuses that vector (the cache); the rest are embedded in
batches of texts of similar length (sorted by length, so a batch pads little), each batch
stored with the run's progress in its own short write. Vectors are stored float32, base64,
sealed. Search (``GET /v1/tasks/search``) embeds the query and takes the nearest stored
vectors by an exact blocked matrix product (:func:`assay.algorithms.vectors.nearest`); the
project's matrix is kept in memory per process (the last ``CACHED_MATRICES`` projects
searched) until its embeddings change.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.algorithms.vectors import nearest, pairs_above
from assay.clock import Clock
from assay.curation import repository
from assay.curation.config import curation_settings
from assay.curation.embedders import Embedder, embed_batch, get_embedder
from assay.curation.text import content_hash, task_text
from assay.db.engine import Database
from assay.db.models import CurationRun
from assay.errors import field_error
from assay.jobs import offload, queue
from assay.projects import service as projects
from assay.tasks.objects import task_object

JOB = "curation.embeddings"
BATCH = 64
WINDOW = 8
"""Batches handed to Ray at once (each stored, with progress, as it comes back)."""
PAGE = 2000
MAX_QUERY = 2000
CACHED_MATRICES = 8
"""Projects whose vectors a process keeps in memory for search (the most recently loaded)."""


def encode_vector(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def decode_vector(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def embed_in_batches(embedder: Embedder, texts: list[str], *, sort_by_length: bool = True,
                     batch: int = BATCH,
                     done: Callable[[list[int], np.ndarray], None] | None = None,
                     embed_many: Callable[[list[list[str]]], list[np.ndarray]] | None = None
                     ) -> np.ndarray:
    """Embed ``texts`` ``batch`` at a time, in order of length (or as they come); returns
    the vectors in the order of ``texts``. ``done(indices, vectors)`` is told each batch.
    ``embed_many``, when given, embeds ``WINDOW`` batches at a time (on Ray: see
    :func:`compute_embeddings`) instead of ``embedder.embed`` one by one."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i])) if sort_by_length \
        else list(range(len(texts)))
    chunks = [order[start:start + batch] for start in range(0, len(order), batch)]
    step = WINDOW if embed_many is not None else 1
    out: np.ndarray | None = None
    for first in range(0, len(chunks), step):
        window = chunks[first:first + step]
        wanted = [[texts[i] for i in chosen] for chosen in window]
        results = embed_many(wanted) if embed_many is not None \
            else [embedder.embed(wanted[0])]
        for chosen, vectors in zip(window, results, strict=True):
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[chosen] = vectors
            if done is not None:
                done(chosen, vectors)
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def _missing(db: Database, org_id: str, project_id: str, model: str,
             field: str) -> list[tuple[str, str]]:
    """``(task id, text)`` of the curated tasks without a vector by ``model``."""
    with db.read() as session:
        have = set(repository.list_embedded_ids(session, org_id, project_id, model))
    found: list[tuple[str, str]] = []
    after = ""
    while True:
        with db.read() as session:
            rows = repository.list_curated_data(session, org_id, project_id, after, PAGE)
        if not rows:
            return found
        found += [(r.id, task_text(r.data, field)) for r in rows if r.id not in have]
        after = rows[-1].id


def compute_embeddings(db: Database, org_id: str, project_id: str, run_id: str | None,
                       params: dict[str, Any], clock: Clock,
                       ray_address: str | None = None) -> None:
    """Embed every curated task of the project that has no vector by the run's model; with
    ``ray_address``, ``WINDOW`` batches at a time on Ray (reads and writes stay here)."""
    setting = str(params.get("model_setting") or "default")
    embedder = get_embedder(setting)
    model = embedder.name
    missing = _missing(db, org_id, project_id, model, str(params.get("text_field") or "text"))
    hashes = [content_hash(text) for _, text in missing]
    with db.read() as session:
        cached = repository.find_cached_vectors(session, org_id, model, hashes)
    todo = [i for i, h in enumerate(hashes) if h not in cached]
    progress = [0]

    def store(rows: list[tuple[str, str, str]]) -> None:
        progress[0] += len(rows)
        done = progress[0]

        def write(s: Session) -> None:
            repository.put_embeddings(s, org_id, project_id, model,
                                      [(t, h, decode_vector(v).size, v) for t, h, v in rows],
                                      clock.now())
            if run_id is not None:
                repository.set_run_progress(s, org_id, run_id, done, clock.now(),
                                            total=len(missing))

        db.write(write)

    store([(task_id, h, cached[h]) for (task_id, _), h in zip(missing, hashes, strict=True)
           if h in cached])

    def batch_done(indices: list[int], vectors: np.ndarray) -> None:
        store([(missing[todo[i]][0], hashes[todo[i]], encode_vector(v))
               for i, v in zip(indices, vectors, strict=True)])

    def embed_many(batches: list[list[str]]) -> list[np.ndarray]:
        return offload.map_calls(embed_batch, [(setting, b) for b in batches], ray_address)

    embed_in_batches(embedder, [missing[i][1] for i in todo], done=batch_done,
                     embed_many=embed_many if ray_address else None)


def ensure_embeddings(session: Session, who: Requester, project: Any,
                      now: datetime) -> CurationRun | None:
    """None when every curated task has a vector by the project's model; else the running
    embeddings run (started now when none runs)."""
    config = curation_settings(project)
    model = get_embedder(config["embedding_model"]).name
    if repository.count_unembedded(session, who.org_id, project.id, model) == 0:
        return None
    latest = repository.get_latest_run(session, who.org_id, project.id, "embeddings")
    if latest is not None and latest.status == "running" and latest.params.get("model") == model:
        return latest
    params = {"model": model, "model_setting": config["embedding_model"],
              "text_field": config["text_field"]}
    run = repository.add_run(session, who.org_id, project.id, "embeddings", params,
                             repository.count_unembedded(session, who.org_id, project.id,
                                                         model), now)
    queue.enqueue(session, JOB, {"run": run.id, "org": who.org_id}, now)
    return run


_matrices: dict[tuple[str, str, str], tuple[Any, list[str], np.ndarray]] = {}
_matrices_lock = threading.Lock()


def project_matrix(session: Session, org_id: str, project_id: str,
                   model: str) -> tuple[list[str], np.ndarray]:
    """The project's task ids and their vectors by ``model``, cached in this process until
    the stored embeddings change (their count or newest time)."""
    key = (org_id, project_id, model)
    marker = repository.embeddings_marker(session, org_id, project_id, model)
    with _matrices_lock:
        cached = _matrices.get(key)
        if cached is not None and cached[0] == marker:
            return cached[1], cached[2]
    rows = repository.list_embeddings(session, org_id, project_id, model)
    ids = [r.task_id for r in rows]
    matrix = (np.stack([decode_vector(r.vector) for r in rows]) if rows
              else np.zeros((0, 1), dtype=np.float32))
    with _matrices_lock:
        _matrices.pop(key, None)
        while len(_matrices) >= CACHED_MATRICES:  # the least recently loaded goes first
            _matrices.pop(next(iter(_matrices)))
        _matrices[key] = (marker, ids, matrix)
    return ids, matrix


def search(session: Session, who: Requester, project_id: str, query: str, limit: int,
           now: datetime) -> CurationRun | list[dict[str, Any]]:
    """The project's tasks nearest to ``query`` (task objects with a ``score``), or the
    embeddings run to wait for."""
    if not query.strip() or len(query) > MAX_QUERY:
        raise field_error("q", f"must hold some text, at most {MAX_QUERY} characters")
    project = projects.get_project(session, who, project_id)
    run = ensure_embeddings(session, who, project, now)
    if run is not None:
        return run
    embedder = get_embedder(curation_settings(project)["embedding_model"])
    ids, matrix = project_matrix(session, who.org_id, project.id, embedder.name)
    if not ids:
        return []
    found = nearest(embedder.embed([query]), matrix, limit)
    chosen = [ids[i] for i in found.index[0].tolist()]
    tasks = repository.list_tasks_by_ids(session, who.org_id, chosen)
    return [{**task_object(tasks[t]), "score": round(float(s), 6)}
            for t, s in zip(chosen, found.score[0].tolist(), strict=True) if t in tasks]


def duplicates_by_embedding(db: Database, org_id: str, project_id: str,
                            params: dict[str, Any], clock: Clock,
                            ray_address: str | None = None) -> list[tuple[str, str, float]]:
    """The duplicates run's pairs by cosine similarity of the tasks' embeddings (computed
    first where missing)."""
    setting = str(params.get("model") or "default")
    compute_embeddings(db, org_id, project_id, None,
                       {"model_setting": setting, "text_field": params.get("text_field")},
                       clock, ray_address)
    model = get_embedder(setting).name
    with db.read() as session:
        curated = set(repository.list_curated_ids(session, org_id, project_id))
        ids, matrix = project_matrix(session, org_id, project_id, model)
    keep = [i for i, t in enumerate(ids) if t in curated]
    ids = [ids[i] for i in keep]
    a, b, s = pairs_above(matrix[keep] if keep else np.zeros((0, 1)),
                          float(params["threshold"]))
    return [(ids[x], ids[y], round(float(v), 6))
            for x, y, v in zip(a.tolist(), b.tolist(), s.tolist(), strict=True)]

