"""Vectors: the blocked exact search and pair scan agree with a brute-force product for any
block size, inputs are left unchanged; the hashing vectorizer is deterministic, unit
length, blind to case and punctuation, and puts shared wording close."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms.vectors import hashing_vectors, nearest, pairs_above


@pytest.mark.parametrize("block", [1, 7, 64, 10_000])
def test_nearest_matches_brute_force(block: int) -> None:
    rng = np.random.default_rng(block)
    m = rng.normal(size=(300, 16)).astype(np.float32)
    q = rng.normal(size=(5, 16)).astype(np.float32)
    before = m.copy()
    found = nearest(q, m, 10, block=block)
    mn = m / np.linalg.norm(m, axis=1, keepdims=True)
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    scores = qn @ mn.T
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :10]
    assert found.index.tolist() == expected.tolist()
    assert np.allclose(found.score, np.take_along_axis(scores, expected, axis=1), atol=1e-5)
    np.testing.assert_array_equal(m, before)


@pytest.mark.parametrize("block", [1, 13, 4096])
def test_pairs_above_matches_brute_force(block: int) -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(size=(40, 8))
    m = np.concatenate((base, base[:10] + rng.normal(0, 0.05, (10, 8))))
    a, b, s = pairs_above(m, 0.95, block=block)
    mn = m / np.linalg.norm(m, axis=1, keepdims=True)
    full = mn @ mn.T
    expected = [(i, j) for i in range(50) for j in range(i + 1, 50) if full[i, j] >= 0.95]
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == expected
    assert np.allclose(s, [full[i, j] for i, j in expected], atol=1e-5)


def test_hashing_vectors() -> None:
    texts = ["Invoice paid LATE, bank transfer failed!", "invoice paid late bank transfer failed",
             "the hiking trip crossed three passes", ""]
    v = hashing_vectors(texts)
    assert np.array_equal(v, hashing_vectors(texts))  # deterministic
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1.0) and not v[3].any()
    assert float(v[0] @ v[1]) == pytest.approx(1.0, abs=1e-6)
    assert abs(float(v[0] @ v[2])) < 0.3
    near = hashing_vectors(["the invoice was paid late"])[0]
    assert float(near @ v[0]) > float(near @ v[2])
