"""The task posteriors (one coin, confusion matrix) and the worker beliefs behind them:
exact on small cases, calibrated on simulated crowds, inputs left alone."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms.answers import Answers
from assay.algorithms.errors import (
    InvalidParameterError,
    LabelOutOfRangeError,
    LengthMismatchError,
)
from assay.algorithms.posterior import confusion_posterior, one_coin_posterior, task_posteriors
from assay.algorithms.posterior_workers import (
    accuracy_means,
    aligned_counts,
    confusion_means,
    leave_one_out_counts,
    pooled_confusion,
    worker_confusions,
)


def test_hand_computed_case() -> None:
    # Two workers at 0.8 say 0, one at 0.6 says 1, K = 2:
    # P(0) ∝ .8·.8·.4 = .256, P(1) ∝ .2·.2·.6 = .024.
    post = one_coin_posterior([0, 0, 1], [0.8, 0.8, 0.6], 2)
    assert post == pytest.approx([0.256 / 0.28, 0.024 / 0.28])


def test_no_answers_give_the_prior_and_inputs_are_not_mutated() -> None:
    assert one_coin_posterior([], [], 4) == pytest.approx([0.25] * 4)
    labels, acc = np.array([1, 2]), np.array([0.7, 0.9])
    one_coin_posterior(labels, acc, 3, prior=[0.2, 0.3, 0.5])
    assert labels.tolist() == [1, 2] and acc.tolist() == [0.7, 0.9]


def test_bad_input_is_refused() -> None:
    with pytest.raises(LabelOutOfRangeError):
        one_coin_posterior([3], [0.9], 3)
    with pytest.raises(InvalidParameterError):
        one_coin_posterior([0], [1.0], 3)
    with pytest.raises(InvalidParameterError):
        one_coin_posterior([0, 1], [0.9], 3)


def test_confidences_are_calibrated_when_accuracies_are_known() -> None:
    rng = np.random.default_rng(11)
    k, n_tasks = 3, 20_000
    truth = rng.integers(0, k, n_tasks)
    conf = np.empty(n_tasks)
    right = np.empty(n_tasks, dtype=bool)
    for t in range(n_tasks):
        acc = rng.uniform(0.45, 0.95, size=rng.integers(1, 5))
        ok = rng.random(acc.size) < acc
        other = (truth[t] + rng.integers(1, k, acc.size)) % k
        labels = np.where(ok, truth[t], other)
        post = one_coin_posterior(labels, acc, k)
        conf[t], right[t] = post.max(), post.argmax() == truth[t]
    for low, high in [(0.5, 0.7), (0.7, 0.9), (0.9, 0.97), (0.97, 1.0)]:
        in_bin = (conf >= low) & (conf < high)
        assert in_bin.sum() > 500
        assert abs(right[in_bin].mean() - conf[in_bin].mean()) < 0.03


# The confusion-matrix posterior and the worker beliefs behind it.


def test_confusion_posterior_hand_computed_case() -> None:
    # Truth 0 or 1, prior (0.6, 0.4). Worker A (confusion [[.9,.1],[.3,.7]]) says 1,
    # worker B ([[.8,.2],[.2,.8]]) says 0:
    # P(0) ∝ .6·.1·.8 = .048, P(1) ∝ .4·.7·.2 = .056.
    a = [[0.9, 0.1], [0.3, 0.7]]
    b = [[0.8, 0.2], [0.2, 0.8]]
    post = confusion_posterior([1, 0], [a, b], prior=[0.6, 0.4])
    assert post == pytest.approx([0.048 / 0.104, 0.056 / 0.104])


def test_confusion_posterior_reduces_to_one_coin() -> None:
    k, acc = 3, np.array([0.9, 0.6, 0.75])
    matrices = np.stack([np.full((k, k), (1 - a) / (k - 1)) + np.eye(k) * (a - (1 - a) / (k - 1))
                         for a in acc])
    labels = [2, 0, 2]
    assert confusion_posterior(labels, matrices) == pytest.approx(
        one_coin_posterior(labels, acc, k))


def test_confusion_posterior_refuses_bad_input_and_leaves_it_alone() -> None:
    good = np.array([[[0.7, 0.3], [0.4, 0.6]]])
    labels = np.array([1])
    confusion_posterior(labels, good, prior=np.array([0.5, 0.5]))
    assert good.tolist() == [[[0.7, 0.3], [0.4, 0.6]]] and labels.tolist() == [1]
    assert confusion_posterior([], np.zeros((0, 2, 2))) == pytest.approx([0.5, 0.5])
    with pytest.raises(LabelOutOfRangeError):
        confusion_posterior([2], good)
    with pytest.raises(InvalidParameterError):
        confusion_posterior([0], [[[0.7, 0.2], [0.4, 0.6]]])  # a row not summing to 1
    with pytest.raises(InvalidParameterError):
        confusion_posterior([1], [[[1.0, 0.0], [0.4, 0.6]]])  # impossible under truth 0
    with pytest.raises(InvalidParameterError):
        confusion_posterior([0, 1], good)


def test_leave_one_out_counts_do_not_flatter_agreeing_workers() -> None:
    # Three workers on two tasks; on task 0 all agree, on task 1 worker 2 dissents.
    answers = Answers([0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2], [0, 0, 0, 1, 1, 0], 2, 3, 2)
    confusion = np.tile(np.array([[0.8, 0.2], [0.2, 0.8]]), (3, 1, 1))
    q = np.array([[0.8 ** 3, 0.2 ** 3], [0.8 * 0.2 * 0.2, 0.2 * 0.8 * 0.8]])
    q /= q.sum(axis=1, keepdims=True)
    before = q.copy()
    counts = leave_one_out_counts(answers, q, confusion)
    assert q.tolist() == before.tolist()
    assert counts.sum(axis=(1, 2)) == pytest.approx([2, 2, 2])
    # Worker 0 on task 0, judged by two others who say 0: P(0) = .64 / (.64 + .04).
    right_0 = 0.64 / 0.68
    # ... and on task 1, judged by one 1 and one 0: an even split.
    assert np.trace(counts[0]) == pytest.approx(right_0 + 0.5)
    # The in-sample posterior would give worker 0 more: q[0, 0] + q[1, 1].
    assert np.trace(counts[0]) < q[0, 0] + q[1, 1]


def test_dirichlet_and_beta_means() -> None:
    counts = np.array([[[8.0, 2.0], [1.0, 9.0]], [[0.0, 0.0], [0.0, 0.0]]])
    means = confusion_means(counts, 2.0)
    pooled = pooled_confusion(counts)
    assert pooled == pytest.approx(np.array([[0.8, 0.2], [0.1, 0.9]]))
    assert means[1] == pytest.approx(pooled)  # a worker with no answers is the crowd
    assert means[0, 0] == pytest.approx([(8 + 1.6) / 12, (2 + 0.4) / 12])
    assert accuracy_means([3.0], [4.0], 4.0, 0.5) == pytest.approx([5 / 8])
    with pytest.raises(InvalidParameterError):
        confusion_means(counts, 0.0)
    with pytest.raises(InvalidParameterError):
        accuracy_means([5.0], [4.0], 4.0, 0.7)


def test_worker_confusions_from_stored_counts() -> None:
    counts = np.array([[[9.0, 1.0], [0.0, 0.0]]])
    crowd_counts = np.array([[16.0, 4.0], [0.0, 0.0]])  # nobody has seen class 1 yet
    classes = np.array([6.0, 0.0])
    before = (counts.copy(), crowd_counts.copy(), classes.copy())
    model = worker_confusions(counts, crowd_counts, classes, 2.0, 4.0, 0.7)
    # Crowd rows: (16 + 4·.7, 4 + 4·.3) / 24 and, with no count, the one-coin row.
    assert model.crowd == pytest.approx(np.array([[18.8 / 24, 5.2 / 24], [0.3, 0.7]]))
    assert model.confusions[0, 0] == pytest.approx(
        [(9 + 2 * 18.8 / 24) / 12, (1 + 2 * 5.2 / 24) / 12])
    assert model.confusions[0, 1] == pytest.approx([0.3, 0.7])
    assert model.prior == pytest.approx([7 / 8, 1 / 8])  # the M step's, prior_smoothing=1
    for given, kept in zip((counts, crowd_counts, classes), before, strict=True):
        assert given.tolist() == kept.tolist()
    with pytest.raises(InvalidParameterError):
        worker_confusions(counts, crowd_counts[:1], classes, 2.0, 4.0, 0.7)
    with pytest.raises(InvalidParameterError):
        worker_confusions(counts, -crowd_counts, classes, 2.0, 4.0, 0.7)
    with pytest.raises(InvalidParameterError):
        worker_confusions(counts, crowd_counts, classes, 2.0, 0.0, 0.7)


def test_counts_follow_their_labels_to_a_new_label_order() -> None:
    counts = np.array([[[5.0, 1.0], [2.0, 7.0]]])
    grown = aligned_counts(counts, ["a", "b"], ["b", "new", "a"])
    assert grown.tolist() == [[[7, 0, 2], [0, 0, 0], [1, 0, 5]]]
    assert aligned_counts([3.0, 4.0], ["a", "b"], ["b", "c"]).tolist() == [4, 0]
    assert aligned_counts(counts[0], ["a", "b"], ["b"]).tolist() == [[7]]  # "a" removed
    assert counts.tolist() == [[[5, 1], [2, 7]]]
    with pytest.raises(LengthMismatchError):
        aligned_counts(counts, ["a", "b", "c"], ["a"])
    # A label added after the refit gets the crowd's prior row and a small class prior.
    model = worker_confusions(grown, aligned_counts([[8.0, 2.0], [2.0, 8.0]], ["a", "b"],
                                                    ["b", "new", "a"]),
                              aligned_counts([5.0, 5.0], ["a", "b"], ["b", "new", "a"]),
                              2.0, 4.0, 0.7)
    assert model.crowd[1] == pytest.approx([0.15, 0.7, 0.15])
    assert model.prior == pytest.approx([6 / 13, 1 / 13, 6 / 13])
    post = confusion_posterior([1, 1], model.confusions[[0, 0]], model.prior)
    assert int(post.argmax()) == 1 and np.all(post > 0)


def test_two_coin_confidences_are_calibrated_with_dirichlet_beliefs() -> None:
    """Workers whose confusion rows are drawn from a Dirichlet prior, each known only through
    six answers of known truth: the posterior with their Dirichlet means is calibrated; with
    the point (frequency) estimates it is overconfident."""
    rng = np.random.default_rng(23)
    k, n_workers, n_tasks, strength = 2, 400, 20_000, 6.0
    prior_rows = np.array([[0.8, 0.2], [0.25, 0.75]])
    true_conf = np.stack([[rng.dirichlet(strength * row) for row in prior_rows]
                          for _ in range(n_workers)])
    counts = np.zeros((n_workers, k, k))
    for w in range(n_workers):
        for y in rng.integers(0, k, 6):
            counts[w, y, rng.choice(k, p=true_conf[w, y])] += 1
    models = {"dirichlet": confusion_means(counts, strength, prior_rows),
              "point": (counts + 1e-3) / (counts + 1e-3).sum(axis=2, keepdims=True)}
    truth = rng.integers(0, k, n_tasks)
    conf = {name: np.empty(n_tasks) for name in models}
    right = {name: np.empty(n_tasks, dtype=bool) for name in models}
    for t in range(n_tasks):
        workers = rng.choice(n_workers, size=rng.integers(1, 5), replace=False)
        labels = np.array([rng.choice(k, p=true_conf[w, truth[t]]) for w in workers])
        for name, model in models.items():
            post = confusion_posterior(labels, model[workers])
            conf[name][t], right[name][t] = post.max(), post.argmax() == truth[t]
    for low, high in [(0.5, 0.7), (0.7, 0.9), (0.9, 0.97), (0.97, 1.0)]:
        in_bin = (conf["dirichlet"] >= low) & (conf["dirichlet"] < high)
        assert in_bin.sum() > 500
        gap = right["dirichlet"][in_bin].mean() - conf["dirichlet"][in_bin].mean()
        assert abs(gap) < 0.03
    top = conf["point"] >= 0.97
    assert right["point"][top].mean() < conf["point"][top].mean() - 0.03


def test_task_posteriors_match_the_one_task_posterior_on_every_task() -> None:
    rng = np.random.default_rng(5)
    n_tasks, n_workers, k = 40, 7, 3
    task = np.repeat(np.arange(n_tasks), 3)[:-2]  # the last task has one answer
    worker = rng.integers(n_workers, size=task.size)
    label = rng.integers(k, size=task.size)
    answers = Answers(task, worker, label, n_tasks + 1, n_workers, k)  # a task with none
    confusions = rng.dirichlet(np.ones(k), size=(n_workers, k))
    prior = np.array([0.5, 0.3, 0.2])
    before = confusions.copy()
    post = task_posteriors(answers, confusions, prior)
    assert post.shape == (n_tasks + 1, k)
    for t in range(n_tasks):
        mine = task == t
        assert post[t] == pytest.approx(confusion_posterior(label[mine],
                                                            confusions[worker[mine]], prior))
    assert post[n_tasks] == pytest.approx(prior)
    assert np.array_equal(confusions, before)
    with pytest.raises(InvalidParameterError):
        task_posteriors(answers, confusions[:-1], prior)
