"""Anchoring figures (algorithms/anchoring.py): the intervals cover what they claim, the
leave-one-out reference equals a brute-force count, and simulated workers who copy the
suggestion with a known probability show it (and workers who never copy do not)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from assay.algorithms.anchoring import (
    difference_interval,
    leave_one_out_plurality,
    suggestion_effect,
    wilson_interval,
)
from assay.algorithms.errors import (
    InvalidParameterError,
    LabelOutOfRangeError,
    LengthMismatchError,
)


def test_wilson_intervals_cover_about_95_percent() -> None:
    rng = np.random.default_rng(7)
    for p, n in ((0.3, 40), (0.9, 100), (0.05, 200)):
        hits = rng.binomial(n, p, size=4000)
        covered = np.mean([lo <= p <= hi for lo, hi in
                           (wilson_interval(int(h), n) for h in hits)])  # type: ignore[misc]
        assert 0.93 <= covered <= 0.975, (p, n, covered)


def test_newcombe_intervals_cover_the_difference() -> None:
    rng = np.random.default_rng(11)
    p1, p2, n1, n2 = 0.7, 0.55, 120, 90
    h1, h2 = rng.binomial(n1, p1, size=3000), rng.binomial(n2, p2, size=3000)
    found = [difference_interval(int(a), n1, int(b), n2) for a, b in zip(h1, h2, strict=True)]
    covered = np.mean([lo <= p1 - p2 <= hi for lo, hi in found])  # type: ignore[misc]
    assert 0.93 <= covered <= 0.975


def test_newcombe_matches_the_published_example() -> None:
    # Newcombe (1998), Table II, example (a): 56/70 - 48/80, method 10.
    low, high = difference_interval(56, 70, 48, 80)  # type: ignore[misc]
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_empty_groups_have_no_interval() -> None:
    assert wilson_interval(0, 0) is None
    assert difference_interval(3, 5, 0, 0) is None
    assert wilson_interval(0, 5) == (0.0, pytest.approx(0.4345, abs=1e-4))


def test_leave_one_out_plurality_matches_a_count_of_the_others() -> None:
    rng = np.random.default_rng(3)
    task = rng.integers(0, 40, size=300)
    label = rng.integers(0, 4, size=300)
    found = leave_one_out_plurality(task, label, 4)
    for i in range(task.size):
        others = Counter(int(label[j]) for j in range(task.size) if task[j] == task[i] and j != i)
        top = others.most_common()
        if not top or (len(top) > 1 and top[0][1] == top[1][1]):
            assert found[i] == -1
        else:
            assert found[i] == top[0][0]
    assert leave_one_out_plurality(task, label, 4).tolist() == found.tolist()  # pure


def _simulate(copy: float, rng: np.random.Generator, tasks: int = 2000, overlap: int = 3,
              k: int = 3, worker: float = 0.9, model: float = 0.6) -> tuple[np.ndarray, ...]:
    truth = rng.integers(0, k, size=tasks)
    wrong = (truth + rng.integers(1, k, size=tasks)) % k
    suggested_task = np.where(rng.random(tasks) < model, truth, wrong)
    shown_task = rng.random(tasks) < 0.5
    task = np.repeat(np.arange(tasks), overlap)
    own = np.where(rng.random(task.size) < worker, truth[task],
                   (truth[task] + rng.integers(1, k, size=task.size)) % k)
    copies = shown_task[task] & (rng.random(task.size) < copy)
    label = np.where(copies, suggested_task[task], own)
    return task, label, suggested_task[task], shown_task[task], truth[task]


def test_planted_copying_shows_as_anchoring() -> None:
    rng = np.random.default_rng(5)
    task, label, suggested, shown, truth = _simulate(0.5, rng)
    effect = suggestion_effect(task, label, suggested, shown, truth)
    assert effect.agreement_difference_ci is not None
    assert effect.agreement_difference_ci[0] > 0.1
    assert effect.copy_rate == pytest.approx(0.5, abs=0.05)
    # Against the truth, copying a 60%-accurate model costs accuracy.
    assert effect.accuracy_difference_ci is not None and effect.accuracy_difference_ci[1] < 0
    assert effect.shown.answers + effect.held_out.answers == label.size
    # The leave-one-out reference exists for most answers and is biased towards the
    # suggestion where people copy: the measured accuracy loss is smaller than the true one.
    loo = suggestion_effect(task, label, suggested, shown,
                            leave_one_out_plurality(task, label, 3))
    assert loo.shown.judged > 0.6 * loo.shown.answers
    assert loo.accuracy_difference is not None and effect.accuracy_difference is not None
    assert effect.accuracy_difference < loo.accuracy_difference < 0


def test_workers_who_never_copy_show_no_anchoring() -> None:
    rng = np.random.default_rng(6)
    covered = 0
    for _ in range(40):
        task, label, suggested, shown, truth = _simulate(0.0, rng, tasks=300)
        effect = suggestion_effect(task, label, suggested, shown, truth)
        low, high = effect.agreement_difference_ci  # type: ignore[misc]
        covered += low <= 0 <= high
    assert covered >= 34  # about 95% of 40 intervals hold the true difference, zero


def test_bad_input_is_refused() -> None:
    with pytest.raises(LengthMismatchError):
        suggestion_effect(np.arange(2), np.array([0, 1]), np.array([0]),
                          np.array([True, False]), np.array([0, 1]))
    with pytest.raises(InvalidParameterError):
        suggestion_effect(np.array([0]), np.array([0]), np.array([0]), np.array([True]),
                          np.array([0]), level=1.0)
    with pytest.raises(InvalidParameterError):
        wilson_interval(5, 3)
    with pytest.raises(LabelOutOfRangeError):
        leave_one_out_plurality(np.array([0, 0]), np.array([0, 3]), 3)
    with pytest.raises(LengthMismatchError):
        leave_one_out_plurality(np.array([0, 0]), np.array([0]), 3)
