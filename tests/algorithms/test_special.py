"""The numpy digamma against scipy's, over the range the Dirichlet fits use and beyond."""

import numpy as np
from scipy.special import digamma as scipy_digamma

from assay.algorithms.special import digamma


def test_digamma_matches_scipy_from_tiny_to_huge_arguments() -> None:
    x = np.concatenate([np.geomspace(1e-4, 1e9, 50_000), np.linspace(1e-3, 30, 50_000),
                        np.arange(1, 50) + 0.0])
    ours, theirs = digamma(x), scipy_digamma(x)
    assert np.max(np.abs(ours - theirs) / np.maximum(1.0, np.abs(theirs))) < 1e-12


def test_digamma_keeps_the_shape_and_the_recurrence() -> None:
    x = np.random.default_rng(3).uniform(0.01, 40, size=(7, 3, 5))
    assert digamma(x).shape == x.shape
    np.testing.assert_allclose(digamma(x + 1), digamma(x) + 1 / x, rtol=0, atol=1e-12)
