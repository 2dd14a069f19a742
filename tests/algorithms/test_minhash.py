"""MinHash and LSH banding: the plan's S-curve, unbiased minima, candidates by sorting."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.minhash import band_keys, candidate_pairs, minhash_signatures, plan_lsh
from assay.algorithms.shingles import Shingles, shingle_hashes


@pytest.mark.parametrize("threshold", [0.05, 0.1, 0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0])
def test_the_plan_finds_a_pair_at_the_threshold_with_probability_0999(threshold: float) -> None:
    plan = plan_lsh(threshold, rng=np.random.default_rng(0))
    assert plan.candidate_probability(threshold) >= 0.999
    assert plan.n_hashes <= 128 or plan.rows == 1
    # The steepest curve within the budget: one more row would need too many bands.
    more = plan.rows + 1
    bands = math.ceil(math.log(0.001) / math.log1p(-(threshold**more))) if threshold < 1 else 1
    assert bands * more > 128 or plan.rows == 128
    assert plan.multipliers.dtype == np.uint32 and np.all(plan.multipliers % 2 == 1)


def test_the_default_plan() -> None:
    plan = plan_lsh(rng=np.random.default_rng(0))
    assert (plan.threshold, plan.bands, plan.rows) == (0.8, 18, 5)
    assert plan.candidate_probability(0.8) == pytest.approx(0.99921, abs=1e-5)
    assert plan.candidate_probability(0.5) == pytest.approx(0.4353, abs=1e-4)


@pytest.mark.parametrize("kwargs", [{"threshold": 0.0}, {"threshold": 1.5},
                                    {"threshold": float("nan")}, {"min_recall": 1.0},
                                    {"min_recall": 0.0}, {"bands": 3}, {"max_hashes": 0},
                                    {"bands": 0, "rows": 2}])
def test_bad_plans_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(InvalidParameterError):
        plan_lsh(rng=np.random.default_rng(0), **kwargs)  # type: ignore[arg-type]


def _pairs_at(similarity_parts: tuple[int, int], n_pairs: int, seed: int) -> Shingles:
    """``n_pairs`` pairs (2i, 2i + 1) of random hash sets sharing ``shared`` elements with
    ``own`` more on each side: Jaccard ``shared / (shared + 2 own)``."""
    shared, own = similarity_parts
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 2**64, size=(n_pairs, shared + 2 * own), dtype=np.uint64)
    first = values[:, :shared + own]
    second = np.concatenate((values[:, :shared], values[:, shared + own:]), axis=1)
    per_doc = shared + own
    hashes = np.stack((first, second), axis=1).reshape(-1)
    return Shingles(hashes, np.arange(0, hashes.size + 1, per_doc, dtype=np.int64))


LEVELS = {0.5: (20, 10), 0.6: (30, 10), 0.7: (28, 6), 0.8: (40, 5), 0.9: (36, 2)}


@pytest.mark.parametrize("similarity", sorted(LEVELS))
def test_the_candidate_rate_follows_the_s_curve(similarity: float) -> None:
    n_pairs = 2000
    sh = _pairs_at(LEVELS[similarity], n_pairs, seed=int(similarity * 10))
    plan = plan_lsh(0.7, rng=np.random.default_rng(1), bands=6, rows=4)
    signatures = minhash_signatures(sh, plan)

    agree = (signatures[:, 0::2] == signatures[:, 1::2]).mean()  # each minimum: P = J
    assert abs(agree - similarity) < 4.5 * math.sqrt(similarity * (1 - similarity) /
                                                     signatures[:, 0::2].size)

    a, b = candidate_pairs(band_keys(signatures, plan))
    assert np.all(a % 2 == 0) and np.all(b == a + 1)  # unrelated sets never collide
    expected = plan.candidate_probability(similarity)
    sd = math.sqrt(expected * (1 - expected) / n_pairs)
    assert abs(a.size / n_pairs - expected) < 4.5 * sd + 0.002


def test_signatures_are_deterministic_per_generator_and_leave_the_input_alone() -> None:
    sh = shingle_hashes(["a b c d e f g h", "one two three", "x"])
    kept = sh.hashes.copy()
    one = minhash_signatures(sh, plan_lsh(0.8, rng=np.random.default_rng(3)))
    two = minhash_signatures(sh, plan_lsh(0.8, rng=np.random.default_rng(3)))
    other = minhash_signatures(sh, plan_lsh(0.8, rng=np.random.default_rng(4)))
    assert np.array_equal(one, two) and not np.array_equal(one, other)
    assert one.shape == (90, 3) and np.array_equal(sh.hashes, kept)


def test_a_document_without_shingles_is_refused() -> None:
    sh = Shingles(np.array([1], dtype=np.uint64), np.array([0, 1, 1], dtype=np.int64))
    with pytest.raises(InvalidParameterError, match="at least one shingle"):
        minhash_signatures(sh, plan_lsh(0.8, rng=np.random.default_rng(0)))


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=12), min_size=1,
                     max_size=3).filter(lambda k: len({len(band) for band in k}) == 1))
def test_candidates_are_the_pairs_sharing_a_key_in_some_band(keys: list[list[int]]) -> None:
    array = np.array(keys, dtype=np.uint64)
    a, b = candidate_pairs(array)
    n = array.shape[1]
    expected = [(i, j) for i, j in combinations(range(n), 2)
                if any(band[i] == band[j] for band in keys)]
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == expected
