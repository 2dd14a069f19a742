"""Golden cases, a loop-based reference for Dawid-Skene, and recovery on synthetic crowds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assay.algorithms import (
    CATEGORICAL_METHODS,
    DEFAULT_CATEGORICAL_METHOD,
    Answers,
    dawid_skene,
    glad,
    mace,
    majority_vote,
    one_coin_dawid_skene,
    weighted_majority_vote,
)

from .conftest import synthetic_crowd

GOLDEN = json.loads((Path(__file__).parent / "golden" / "categorical.json").read_text())


def _answers(case: dict) -> Answers:  # type: ignore[type-arg]
    task, worker, label = np.array(case["answers"]).T
    return Answers(task, worker, label, case["n_tasks"], case["n_workers"], case["n_classes"])


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda case: case["name"])
def test_it_matches_the_golden_majority_votes(case: dict) -> None:  # type: ignore[type-arg]
    answers = _answers(case)
    result = majority_vote(answers)
    assert result.labels.tolist() == case["majority_vote"]["labels"]
    np.testing.assert_allclose(result.posteriors, case["majority_vote"]["posteriors"], atol=1e-9)
    fixed = case["weighted_majority_vote_fixed"]
    weighted = weighted_majority_vote(answers, fixed["weights"])
    assert weighted.labels.tolist() == fixed["labels"]
    np.testing.assert_allclose(weighted.posteriors, fixed["posteriors"], atol=1e-9)


def _reference_dawid_skene(answers: Answers, iterations: int) -> np.ndarray:
    """Textbook Dawid-Skene with explicit loops (no smoothing), for comparison."""
    k = answers.n_classes
    q = np.zeros((answers.n_tasks, k))
    for t, lab in zip(answers.task, answers.label, strict=True):
        q[t, lab] += 1
    q /= q.sum(axis=1, keepdims=True)
    for _ in range(iterations):
        counts = np.zeros((answers.n_workers, k, k))
        for t, w, lab in zip(answers.task, answers.worker, answers.label, strict=True):
            counts[w, :, lab] += q[t]
        confusion = counts / np.maximum(counts.sum(axis=2, keepdims=True), 1e-300)
        priors = q.sum(axis=0) / q.sum()
        log_q = np.tile(np.log(priors), (answers.n_tasks, 1))
        for t, w, lab in zip(answers.task, answers.worker, answers.label, strict=True):
            log_q[t] += np.log(np.maximum(confusion[w, :, lab], 1e-12))
        q = np.exp(log_q - log_q.max(axis=1, keepdims=True))
        q /= q.sum(axis=1, keepdims=True)
    return q


@pytest.mark.parametrize("iterations", [1, 3])
def test_dawid_skene_matches_a_loop_reference(iterations: int) -> None:
    answers, _ = synthetic_crowd(seed=3, n_tasks=40, n_workers=8, overlap=3)
    result = dawid_skene(
        answers, max_iter=iterations, tol=0.0, prior="fixed", smoothing=0.0, diagonal=0.0,
        prior_smoothing=0.0,
    )
    np.testing.assert_allclose(
        result.posteriors, _reference_dawid_skene(answers, iterations), atol=1e-9
    )
    assert result.iterations == iterations and not result.converged


def test_dawid_skene_recovers_the_truth_better_than_majority_vote() -> None:
    answers, truth = synthetic_crowd(seed=11, n_tasks=600, n_workers=20)
    ds = dawid_skene(answers)
    assert ds.converged and ds.iterations < 100
    assert (ds.labels == truth).mean() > (majority_vote(answers).labels == truth).mean()
    assert ds.confusion.shape == (20, 3, 3)
    np.testing.assert_allclose(ds.confusion.sum(axis=2), 1.0)
    assert ds.worker_accuracies.shape == (20,)


@pytest.mark.parametrize("method", [one_coin_dawid_skene, glad, mace, weighted_majority_vote])
def test_every_model_beats_chance_by_far_on_a_symmetric_crowd(method: object) -> None:
    answers, truth = synthetic_crowd(seed=5, n_tasks=400, n_workers=20)
    result = method(answers)  # type: ignore[operator]
    assert (result.labels == truth).mean() > 0.85
    assert result.converged


def test_worker_parameters_rank_good_workers_above_bad_ones() -> None:
    rng = np.random.default_rng(1)
    n_tasks, truth = 500, rng.integers(2, size=500)
    accuracy = np.array([0.95, 0.9, 0.85, 0.6, 0.55])
    task = np.repeat(np.arange(n_tasks), 5)
    worker = np.tile(np.arange(5), n_tasks)
    label = np.where(rng.random(task.size) < accuracy[worker], truth[task], 1 - truth[task])
    answers = Answers(task, worker, label, n_tasks, 5, 2)
    assert np.argsort(one_coin_dawid_skene(answers).skills).tolist() == [4, 3, 2, 1, 0]
    assert np.argmax(glad(answers).expertise) == 0
    assert np.argmax(mace(answers).competence) == 0
    assert np.argmin(dawid_skene(answers).worker_accuracies) in (3, 4)


def test_the_registry_holds_the_default() -> None:
    assert DEFAULT_CATEGORICAL_METHOD in CATEGORICAL_METHODS
    answers, _ = synthetic_crowd(seed=2, n_tasks=30, n_workers=6)
    for name, method in CATEGORICAL_METHODS.items():
        assert method(answers).method == name


def test_unanimous_answers_give_confident_labels() -> None:
    answers = Answers([0, 0, 1, 1], [0, 1, 0, 1], [2, 2, 1, 1], 2, 2, 3)
    for method in CATEGORICAL_METHODS.values():
        result = method(answers)
        assert result.labels.tolist() == [2, 1]
        assert (result.confidences > 0.5).all()


def test_a_single_class_problem_is_trivial() -> None:
    answers = Answers([0, 1], [0, 0], [0, 0], 2, 1, 1)
    for method in CATEGORICAL_METHODS.values():
        result = method(answers)
        np.testing.assert_allclose(result.posteriors, 1.0)
