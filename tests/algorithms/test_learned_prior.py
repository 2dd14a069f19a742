"""The learned (empirical-Bayes) Dirichlet prior of Dawid-Skene, and its fixed point."""

from __future__ import annotations

import numpy as np

from assay.algorithms import Answers, dawid_skene
from assay.algorithms.dirichlet import MAX_PRECISION, MIN_PSEUDO_COUNT, fit_dirichlet_rows

from .conftest import synthetic_crowd


def test_it_recovers_the_dirichlet_that_generated_the_counts() -> None:
    rng = np.random.default_rng(5)
    alpha = np.array([[6.0, 3.0, 1.0], [1.0, 1.0, 8.0]])
    rows = np.stack([rng.dirichlet(a, size=3_000) for a in alpha], axis=1)  # (W, K, L)
    counts = np.stack(
        [[rng.multinomial(40, p) for p in worker] for worker in rows]
    ).astype(np.float64)
    fitted = fit_dirichlet_rows(counts, np.ones((2, 3)), steps=500)
    np.testing.assert_allclose(fitted, alpha, rtol=0.1)


def test_it_leaves_its_inputs_and_rows_without_counts_alone() -> None:
    counts = np.zeros((4, 2, 2))
    counts[:, 0] = [[5.0, 1.0], [4.0, 2.0], [6.0, 0.0], [3.0, 3.0]]
    start = np.array([[1.0, 1.0], [2.0, 3.0]])
    before = (counts.copy(), start.copy())
    fitted = fit_dirichlet_rows(counts, start, steps=50)
    np.testing.assert_array_equal(counts, before[0])
    np.testing.assert_array_equal(start, before[1])
    np.testing.assert_array_equal(fitted[1], start[1])
    assert fitted[0, 0] > fitted[0, 1]


def test_it_keeps_the_pseudo_counts_within_bounds_when_every_worker_agrees() -> None:
    # Identical workers: the likelihood keeps growing with the precision; it must stop.
    counts = np.tile(np.array([[[10.0, 0.0]]]), (5, 1, 1))
    fitted = fit_dirichlet_rows(counts, np.ones((1, 2)), steps=2_000)
    assert fitted.min() >= MIN_PSEUDO_COUNT and fitted.sum() <= MAX_PRECISION * (1 + 1e-9)
    assert np.all(np.isfinite(fitted))


def test_a_worker_with_few_answers_is_pulled_towards_the_crowd() -> None:
    answers, _ = synthetic_crowd(seed=4, n_tasks=400, n_workers=12)
    # One newcomer answers two tasks, wrongly as far as the crowd can tell.
    crowd = dawid_skene(answers)
    wrong = (crowd.labels[:2] + 1) % answers.n_classes
    extended = Answers(
        np.concatenate([answers.task, [0, 1]]), np.concatenate([answers.worker, [12, 12]]),
        np.concatenate([answers.label, wrong]), answers.n_tasks, 13, answers.n_classes,
    )
    learned = dawid_skene(extended)
    fixed = dawid_skene(extended, prior="fixed", smoothing=0.01)
    assert learned.prior_counts.shape == (3, 3) and learned.prior_counts.sum() > 0
    assert np.all(fixed.prior_counts == 0)
    # Two answers say little: the learned prior keeps the newcomer near the crowd's typical
    # accuracy instead of near 0 (the fixed, nearly flat prior trusts the two answers).
    typical = float(np.median(learned.worker_accuracies[:12]))
    assert abs(learned.worker_accuracies[12] - typical) < abs(fixed.worker_accuracies[12] - typical)


def test_the_learned_prior_converges_on_every_small_crowd() -> None:
    for seed in range(5):
        answers, truth = synthetic_crowd(seed=seed, n_tasks=200, n_workers=15)
        result = dawid_skene(answers)
        assert result.converged and result.iterations < 100
        assert (result.labels == truth).mean() > 0.8
