"""Adaptive overlap by replay: how many answers does the platform's stopping rule need to
match Dawid-Skene on all answers?

    python bench/quality/adaptive_replay.py            # d_possent (20 answers a task) + synthetic

The replay mirrors the platform (``assay.quality.adaptive``): tasks arrive in a random
order; each task's answers are revealed one at a time, and after each the one-coin
posterior, with each worker's accuracy from the latest background refit (Dawid-Skene over
the answers revealed so far; 0.7 before a worker has any), decides: stop once the best label
reaches the target confidence (and at least ``min_overlap`` answers are in), else reveal
one more, up to ``max_overlap``. Reported: the share of all answers used and the accuracy of
the labels at stopping time, beside Dawid-Skene and majority vote on all answers.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import datasets_root, load
from synthetic import make_crowd

from assay.algorithms import Answers, dawid_skene, encode_answers, majority_vote
from assay.algorithms.posterior import one_coin_posterior

PRIOR = 0.7


def replay(task: np.ndarray, worker: np.ndarray, label: np.ndarray, n_tasks: int,
           n_workers: int, k: int, target: float, min_overlap: int, max_overlap: int,
           refit_every: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Returns (label per task at stopping, answers used)."""
    order = np.argsort(task, kind="stable")
    starts = np.searchsorted(task[order], np.arange(n_tasks + 1))
    accuracy = np.full(n_workers, PRIOR)
    seen = np.zeros(n_workers, dtype=np.int64)
    used_t: list[np.ndarray] = []
    used_w: list[np.ndarray] = []
    used_l: list[np.ndarray] = []
    chosen = np.zeros(n_tasks, dtype=np.int64)
    n_used = 0
    for step, t in enumerate(rng.permutation(n_tasks)):
        idx = order[starts[t]:starts[t + 1]]
        for n in range(1, min(len(idx), max_overlap) + 1):
            w, lab = worker[idx[:n]], label[idx[:n]]
            acc = np.clip(accuracy[w], 1.0 / k + 1e-3, 0.99)
            post = one_coin_posterior(lab, acc, k)
            if n >= min_overlap and post.max() >= target:
                break
        chosen[t] = int(post.argmax())
        n_used += n
        used_t.append(np.full(n, t))
        used_w.append(w)
        used_l.append(lab)
        np.add.at(seen, w, 1)
        if (step + 1) % refit_every == 0:
            tt, ww, ll = (np.concatenate(x) for x in (used_t, used_w, used_l))
            fit = dawid_skene(_compact(tt, ww, ll, n_workers, k))
            accuracy = _spread(fit, ww, n_workers)
            accuracy[seen == 0] = PRIOR
    return chosen, n_used


def _compact(tt: np.ndarray, ww: np.ndarray, ll: np.ndarray, n_workers: int,
             k: int) -> Answers:
    """Answers over the revealed tasks only (every task must have an answer)."""
    tasks, codes = np.unique(tt, return_inverse=True)
    return Answers(codes, ww, ll, tasks.size, n_workers, k)


def _spread(fit: object, ww: np.ndarray, n_workers: int) -> np.ndarray:
    acc = np.asarray(fit.worker_accuracies, dtype=np.float64)  # type: ignore[attr-defined]
    out = np.full(n_workers, PRIOR)
    out[: acc.size] = acc
    return out


def evaluate(name: str, task: np.ndarray, worker: np.ndarray, label: np.ndarray,
             truth: np.ndarray, has_truth: np.ndarray, n_tasks: int, n_workers: int, k: int,
             max_overlap: int) -> None:
    answers = Answers(task, worker, label, n_tasks, n_workers, k)
    ds = dawid_skene(answers).labels
    mv = majority_vote(answers).labels

    def score(labels: np.ndarray) -> float:
        return float((labels[has_truth] == truth[has_truth]).mean())

    print(f"\n== {name}: {n_tasks} tasks, {task.size} answers "
          f"({task.size / n_tasks:.1f} a task), {k} classes")
    print(f"  all answers:  Dawid-Skene {score(ds):.4f}   majority vote {score(mv):.4f}")
    print("  adaptive (target, min overlap):  answers used  accuracy  seconds")
    for target in (0.9, 0.95, 0.99, 0.999):
        for min_overlap in (1, 3):
            started = time.perf_counter()
            chosen, used = replay(task, worker, label, n_tasks, n_workers, k, target,
                                  min_overlap, max_overlap, refit_every=max(20, n_tasks // 40),
                                  rng=np.random.default_rng(5))
            print(f"    {target:.3f}, {min_overlap}:  {used / task.size:6.1%}  "
                  f"({used / n_tasks:4.1f} a task)  {score(chosen):.4f}  "
                  f"{time.perf_counter() - started:6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    if (datasets_root() / "d_possent").exists():
        data = load("d_possent")
        answers, enc = encode_answers(data.tasks, data.workers, data.labels)
        truth = np.array([enc.classes.index(data.truth[t]) if t in data.truth else -1
                          for t in enc.tasks])
        evaluate("d_possent", answers.task, answers.worker, answers.label, truth, truth >= 0,
                 answers.n_tasks, answers.n_workers, answers.n_classes, max_overlap=20)
    else:
        print("d_possent not found (set ASSAY_CROWD_DATASETS); skipping it")
    if not args.skip_synthetic:
        rng = np.random.default_rng(17)
        task, worker, label, truth = make_crowd(rng, n_tasks=4000, overlap=10, n_workers=300,
                                                n_classes=4)
        evaluate("synthetic crowd (10% spammers)", task, worker, label, truth,
                 np.ones(truth.size, dtype=bool), 4000, 300, 4, max_overlap=10)


if __name__ == "__main__":
    main()
