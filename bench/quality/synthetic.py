"""A synthetic crowd with known truth for the scale test.

Class-dependent confusion: every honest worker has their own confusion matrix, a strong
diagonal plus errors that favour the "neighbouring" class, and 10% of workers are spammers
who answer one favourite class or uniformly at random.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np


def make_crowd(
    rng: np.random.Generator,
    *,
    n_tasks: int = 200_000,
    overlap: int = 5,
    n_workers: int = 2_000,
    n_classes: int = 4,
    spammer_share: float = 0.10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(task, worker, label, truth)`` integer arrays."""
    truth = rng.choice(
        n_classes,
        size=n_tasks,
        p=np.linspace(2.0, 1.0, n_classes) / (np.linspace(2.0, 1.0, n_classes).sum()),
    )
    confusion = np.empty((n_workers, n_classes, n_classes))
    for w in range(n_workers):
        accuracy = rng.uniform(0.55, 0.95, size=n_classes)
        for k in range(n_classes):
            wrong = rng.dirichlet(np.ones(n_classes - 1)) * 0.5 + 0.5 / (n_classes - 1)
            wrong[(k % (n_classes - 1))] += 1.0  # a favoured confusion per class
            wrong /= wrong.sum()
            confusion[w, k] = np.insert(wrong * (1 - accuracy[k]), k, accuracy[k])
    spammers = rng.random(n_workers) < spammer_share
    for w in np.flatnonzero(spammers):
        if rng.random() < 0.5:
            confusion[w] = np.eye(n_classes)[rng.integers(n_classes)]
        else:
            confusion[w] = 1.0 / n_classes
    # Each task gets `overlap` distinct workers; workers are drawn with uneven activity.
    activity = rng.pareto(1.5, size=n_workers) + 1.0
    activity /= activity.sum()
    worker = np.empty((n_tasks, overlap), dtype=np.int64)
    for slot in range(overlap):
        worker[:, slot] = rng.choice(n_workers, size=n_tasks, p=activity)
    clash = np.any(np.diff(np.sort(worker, axis=1), axis=1) == 0, axis=1)
    while clash.any():  # redraw rows where a worker appears twice
        worker[clash] = rng.choice(n_workers, size=(int(clash.sum()), overlap), p=activity)
        clash = np.any(np.diff(np.sort(worker, axis=1), axis=1) == 0, axis=1)
    task = np.repeat(np.arange(n_tasks), overlap)
    worker = worker.ravel()
    cumulative = np.cumsum(confusion[worker, truth[task]], axis=1)
    label = (rng.random(task.size)[:, None] > cumulative).sum(axis=1)
    label = np.minimum(label, n_classes - 1)
    return task, worker, label, truth


def write_csv(folder: Path, rng: np.random.Generator, **sizes: int) -> tuple[Path, Path]:
    """Write ``answers.csv`` (``worker,task,label``) and ``truth.csv`` like the real sets."""
    task, worker, label, truth = make_crowd(rng, **sizes)
    folder.mkdir(parents=True, exist_ok=True)
    answers_path, truth_path = folder / "answers.csv", folder / "truth.csv"
    with open(answers_path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["worker", "task", "label"])
        out.writerows(
            zip(
                (f"w{w}" for w in worker),
                (f"t{t}" for t in task),
                (f"c{c}" for c in label),
                strict=True,
            )
        )
    with open(truth_path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["task", "truth"])
        out.writerows((f"t{t}", f"c{c}") for t, c in enumerate(truth))
    return answers_path, truth_path
