"""Shared fixtures: small synthetic crowds built from a seeded generator (no shared data)."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms import Answers


def synthetic_crowd(
    seed: int, n_tasks: int = 300, n_workers: int = 30, n_classes: int = 3, overlap: int = 5
) -> tuple[Answers, np.ndarray]:
    """Workers with accuracies between 0.5 and 0.95; errors uniform. Returns the truth too."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(n_classes, size=n_tasks)
    accuracy = rng.uniform(0.5, 0.95, size=n_workers)
    workers = np.stack([rng.choice(n_workers, overlap, replace=False) for _ in range(n_tasks)])
    task = np.repeat(np.arange(n_tasks), overlap)
    worker = workers.ravel()
    correct = rng.random(task.size) < accuracy[worker]
    noise = (truth[task] + rng.integers(1, n_classes, size=task.size)) % n_classes
    label = np.where(correct, truth[task], noise)
    return Answers(task, worker, label, n_tasks, n_workers, n_classes), truth


@pytest.fixture
def crowd() -> tuple[Answers, np.ndarray]:
    return synthetic_crowd(seed=7)
