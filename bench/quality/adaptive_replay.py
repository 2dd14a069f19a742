"""Adaptive overlap by replay: how many answers does a stopping rule need to match
Dawid-Skene on all answers, and is the confidence it reports calibrated?

    python bench/quality/adaptive_replay.py                  # d_possent + synthetic crowd
    python bench/quality/adaptive_replay.py --order dataset  # answers in the file's order

Tasks arrive in a random order and each task's answers are revealed one at a time, in a
random order drawn independently of the labels (``--order random``, the default: answers
arrive as workers come by) or in the file's order (``--order dataset``). After each answer
the rule computes the task's posterior and stops once its best label reaches the target
(and ``--min-overlap`` answers are in), else reveals one more, up to ``max_overlap`` — the
task is then flagged for review. The worker estimates come from a background refit,
Dawid-Skene over the answers revealed so far, run after 5 tasks and then every
max(5, tasks done / 10) tasks. Gold labels are only used to score. The rules:

``one_coin_point``
    the platform's earliest rule: one-coin posterior, each worker at the refit's point
    estimate of their accuracy (0.7 before the first), uniform class prior.
``one_coin_loo``
    the platform's rule before the first refit, and its rule until the refit stored
    confusion counts (:func:`assay.quality.adaptive.worker_accuracies`): one-coin posterior
    with each worker's accuracy the Beta mean of their leave-one-out accuracy from the
    refit (kept from ``MODEL_MIN_ANSWERS`` answers on, as :mod:`assay.quality.refit`
    stores it), shrunk with the weight of ``PRIOR_WEIGHT`` answers toward the crowd's
    answer-weighted mean; uniform class prior.
``confusion_loo``
    the platform's stopping rule (:mod:`assay.quality.adaptive`): confusion-matrix ("two
    coin") posterior from what the refit stores — each worker's leave-one-out counts (from
    ``MODEL_MIN_ANSWERS`` answers on), every worker's counts together and the expected
    class counts (from ``MODEL_MIN_TASKS`` tasks on) — turned into Dirichlet means and the
    class prior by the same
    :func:`~assay.algorithms.posterior_workers.worker_confusions` the platform calls.
    The replay has no gold, so the gold counts the platform adds are zero here.
``confusion_resettle``
    the platform's rule now: ``confusion_loo``, and after every refit each settled task is
    judged again with the new model from the answers it has (:mod:`assay.quality.resettle`):
    below the target with answers left, it asks for more (unless it is flagged for
    review); otherwise, if its best label changed, the label changes (flagged for review
    when below the target). One more refit runs after the last task.

Reported, averaged over ``--seeds`` replays: the share of all answers used, the accuracy of
the labels at stopping time, the share of tasks flagged for review, beside Dawid-Skene and
majority vote on all answers; then a calibration table (reported confidence against
observed accuracy) for the one-coin and the confusion rule.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import datasets_root, load
from synthetic import make_crowd

from assay.algorithms import Answers, dawid_skene, encode_answers, majority_vote
from assay.algorithms.posterior import confusion_posterior, one_coin_posterior
from assay.algorithms.posterior_workers import (
    accuracy_means,
    leave_one_out_counts,
    one_coin_confusion,
    worker_confusions,
)
from assay.quality.adaptive import (
    CONFUSION_STRENGTH,
    MAX_ACCURACY,
    PRIOR_ACCURACY,
    PRIOR_WEIGHT,
    crowd_accuracy,
)
from assay.quality.refit import MODEL_MIN_ANSWERS, MODEL_MIN_TASKS

RULES = ("one_coin_point", "one_coin_loo", "confusion_loo", "confusion_resettle")
BINS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0)


@dataclass(frozen=True)
class Crowd:
    name: str
    task: np.ndarray
    worker: np.ndarray
    label: np.ndarray
    truth: np.ndarray     # -1 where unknown
    n_tasks: int
    n_workers: int
    k: int
    max_overlap: int


@dataclass(frozen=True)
class Replay:
    chosen: np.ndarray      # label per task at stopping
    confidence: np.ndarray  # its posterior
    review: np.ndarray      # stopped at max_overlap below the target
    used: int               # answers revealed


class WorkerModel:
    """The rule's view of the workers, as of the latest refit."""

    def __init__(self, rule: str, n_workers: int, k: int) -> None:
        self.rule, self.k = rule, k
        self.prior = np.full(k, 1.0 / k)
        self.accuracy = np.full(n_workers, PRIOR_ACCURACY)
        # Before the first refit the platform decides with one coin at PRIOR_ACCURACY.
        self.confusion = np.broadcast_to(one_coin_confusion(PRIOR_ACCURACY, k),
                                         (n_workers, k, k)).copy()

    def posterior(self, workers: np.ndarray, labels: np.ndarray) -> np.ndarray:
        if self.rule == "confusion_loo":
            return confusion_posterior(labels, self.confusion[workers], self.prior)
        return one_coin_posterior(labels, self.accuracy[workers], self.k)

    def refit(self, answers: Answers) -> None:
        fit = dawid_skene(answers)
        per_worker = np.bincount(answers.worker, minlength=answers.n_workers)
        chance = 1.0 / self.k
        if self.rule == "one_coin_point":
            acc = np.where(per_worker > 0, fit.worker_accuracies, PRIOR_ACCURACY)
            self.accuracy = np.clip(acc, chance + 1e-3, 0.99)
            return
        counts = leave_one_out_counts(answers, fit.posteriors, fit.confusion)
        kept = per_worker >= MODEL_MIN_ANSWERS
        if self.rule == "confusion_loo":
            # What the platform stores (assay.quality.refit) and how it reads it back.
            if answers.n_tasks >= MODEL_MIN_TASKS:
                model = worker_confusions(np.where(kept[:, None, None], counts, 0.0),
                                          counts.sum(axis=0), fit.posteriors.sum(axis=0),
                                          CONFUSION_STRENGTH, PRIOR_WEIGHT, PRIOR_ACCURACY)
                self.confusion, self.prior = model.confusions, model.prior
            return
        # What the platform stores: an accuracy per worker with 10+ answers, and its count.
        right = np.trace(counts, axis1=1, axis2=2)
        model = np.divide(right, per_worker, out=np.zeros(per_worker.size), where=kept)
        n = np.where(kept, per_worker, 0).astype(np.float64)
        a0 = crowd_accuracy(float((model * n).sum()), float(n.sum()), chance)
        acc = accuracy_means(model * n, n, PRIOR_WEIGHT, a0)
        self.accuracy = np.clip(acc, chance + 1e-3, MAX_ACCURACY)


def replay(crowd: Crowd, rule: str, target: float, min_overlap: int, order: str,
           rng: np.random.Generator) -> Replay:
    recheck = rule == "confusion_resettle"
    rule = "confusion_loo" if recheck else rule
    by_task = np.argsort(crowd.task, kind="stable")
    starts = np.searchsorted(crowd.task[by_task], np.arange(crowd.n_tasks + 1))
    model = WorkerModel(rule, crowd.n_workers, crowd.k)
    chosen = np.zeros(crowd.n_tasks, dtype=np.int64)
    confidence = np.zeros(crowd.n_tasks)
    review = np.zeros(crowd.n_tasks, dtype=bool)
    revealed = np.zeros(crowd.n_tasks, dtype=np.int64)
    arrival: dict[int, np.ndarray] = {}
    finished: list[int] = []

    def ask(t: int) -> None:
        """Reveal answers of task ``t`` until its posterior reaches the target."""
        idx = arrival[t]
        limit = min(idx.size, crowd.max_overlap)
        n = int(revealed[t])
        post = model.posterior(crowd.worker[idx[:n]], crowd.label[idx[:n]]) if n else None
        while n < limit and (post is None or n < min_overlap or post.max() < target):
            n += 1
            post = model.posterior(crowd.worker[idx[:n]], crowd.label[idx[:n]])
        assert post is not None
        chosen[t], confidence[t] = int(post.argmax()), float(post.max())
        review[t] = post.max() < target
        revealed[t] = n

    def resettle(t: int) -> None:
        """What the platform's refit does to a settled task (quality/resettle.py)."""
        idx = arrival[t][:revealed[t]]
        post = model.posterior(crowd.worker[idx], crowd.label[idx])
        if (not review[t] and post.max() < target
                and revealed[t] < min(arrival[t].size, crowd.max_overlap)):
            ask(t)  # reopened: more answers until the target (never one flagged for review)
        elif int(post.argmax()) != chosen[t]:
            chosen[t], confidence[t] = int(post.argmax()), float(post.max())
            review[t] = post.max() < target

    def refit() -> None:
        seen = np.concatenate([arrival[t][:revealed[t]] for t in finished])
        tasks, codes = np.unique(crowd.task[seen], return_inverse=True)
        model.refit(Answers(codes, crowd.worker[seen], crowd.label[seen], tasks.size,
                            crowd.n_workers, crowd.k))
        if recheck:
            for t in finished:
                resettle(t)

    next_refit = 5
    for done, t in enumerate(rng.permutation(crowd.n_tasks), start=1):
        idx = by_task[starts[t]:starts[t + 1]]
        if order == "random":  # arrival order: a permutation drawn without the labels
            idx = rng.permutation(idx)
        arrival[int(t)] = idx
        ask(int(t))
        finished.append(int(t))
        if done >= next_refit:
            next_refit = done + max(5, done // 10)
            refit()
    if recheck:
        refit()
    return Replay(chosen, confidence, review, int(revealed.sum()))


def calibration(confidence: np.ndarray, right: np.ndarray) -> list[tuple[str, int, float,
                                                                            float]]:
    rows = []
    for low, high in itertools.pairwise(BINS):
        hit = (confidence >= low) & ((confidence < high) | (high == 1.0))
        if hit.any():
            rows.append((f"[{low}, {high}{']' if high == 1.0 else ')'}", int(hit.sum()),
                         float(confidence[hit].mean()), float(right[hit].mean())))
    return rows


def evaluate(crowd: Crowd, targets: tuple[float, ...], min_overlap: int, order: str,
             seeds: int, calibrate_at: float, rules: tuple[str, ...] = RULES) -> None:
    answers = Answers(crowd.task, crowd.worker, crowd.label, crowd.n_tasks, crowd.n_workers,
                      crowd.k)
    known = crowd.truth >= 0

    def score(labels: np.ndarray) -> float:
        return float((labels[known] == crowd.truth[known]).mean())

    print(f"\n== {crowd.name}: {crowd.n_tasks} tasks, {crowd.task.size} answers "
          f"({crowd.task.size / crowd.n_tasks:.1f} a task), {crowd.k} classes; "
          f"answers in {order} order, {seeds} seeds, min overlap {min_overlap}")
    print(f"  all answers:  Dawid-Skene {score(dawid_skene(answers).labels):.4f}   "
          f"majority vote {score(majority_vote(answers).labels):.4f}")
    print("  rule               target  answers used   accuracy        review  seconds")
    pooled: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for rule in rules:
        for target in targets:
            started = time.perf_counter()
            runs = [replay(crowd, rule, target, min_overlap, order, np.random.default_rng(s))
                    for s in range(seeds)]
            share = np.array([r.used / crowd.task.size for r in runs])
            acc = np.array([score(r.chosen) for r in runs])
            flagged = np.mean([r.review.mean() for r in runs])
            print(f"  {rule:18} {target:6.3f}  {share.mean():6.1%} ±{share.std():.1%}  "
                  f"{acc.mean():.4f} ±{acc.std():.4f}  {flagged:5.1%}  "
                  f"{(time.perf_counter() - started) / seeds:6.1f}")
            if target == calibrate_at:
                pooled[rule] = (np.concatenate([r.confidence[known] for r in runs]),
                                np.concatenate([r.chosen[known] == crowd.truth[known]
                                                for r in runs]))
    for rule, (confidence, right) in pooled.items():
        print(f"  calibration of {rule} at target {calibrate_at} (all seeds pooled):")
        print("    confidence      tasks  mean confidence  accuracy")
        for label, n, conf, hit in calibration(confidence, right):
            print(f"    {label:14} {n:6}  {conf:15.4f}  {hit:8.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--order", choices=("random", "dataset"), default="random")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--min-overlap", type=int, default=1)
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--rules", default=",".join(RULES),
                        help="comma-separated, from: " + ", ".join(RULES))
    args = parser.parse_args()
    rules = tuple(args.rules.split(","))
    if unknown := set(rules) - set(RULES):
        parser.error(f"unknown rules: {', '.join(sorted(unknown))}")
    if (datasets_root() / "d_possent").exists():
        data = load("d_possent")
        coded, enc = encode_answers(data.tasks, data.workers, data.labels)
        truth = np.array([enc.classes.index(data.truth[t]) if t in data.truth else -1
                          for t in enc.tasks])
        evaluate(Crowd("d_possent", coded.task, coded.worker, coded.label, truth,
                       coded.n_tasks, coded.n_workers, coded.n_classes, max_overlap=20),
                 (0.95, 0.99, 0.995, 0.999), args.min_overlap, args.order, args.seeds, 0.99, rules)
    else:
        print("d_possent not found (set ASSAY_CROWD_DATASETS); skipping it")
    if not args.skip_synthetic:
        task, worker, label, truth = make_crowd(np.random.default_rng(17), n_tasks=4000,
                                                overlap=10, n_workers=300, n_classes=4)
        evaluate(Crowd("synthetic crowd (10% spammers)", task, worker, label, truth, 4000,
                       300, 4, max_overlap=10),
                 (0.95, 0.99, 0.999), args.min_overlap, args.order, max(1, args.seeds // 2),
                 0.99, rules)


if __name__ == "__main__":
    main()
