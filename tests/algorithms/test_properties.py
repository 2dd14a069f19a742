"""Properties every categorical method must have, on random answers (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.algorithms import CATEGORICAL_METHODS, Answers


@st.composite
def answer_sets(draw: st.DrawFn) -> Answers:
    n_tasks = draw(st.integers(1, 12))
    n_workers = draw(st.integers(1, 6))
    n_classes = draw(st.integers(2, 4))
    rows = []
    for task in range(n_tasks):
        workers = draw(
            st.lists(st.integers(0, n_workers - 1), min_size=1, max_size=n_workers, unique=True)
        )
        rows += [(task, w, draw(st.integers(0, n_classes - 1))) for w in workers]
    task, worker, label = np.array(rows).T
    return Answers(task, worker, label, n_tasks, n_workers, n_classes)


METHODS = sorted(CATEGORICAL_METHODS)
SETTINGS = settings(max_examples=15, deadline=None)


@SETTINGS
@given(answers=answer_sets(), name=st.sampled_from(METHODS))
def test_posteriors_are_distributions_and_labels_their_argmax(answers: Answers, name: str) -> None:
    result = CATEGORICAL_METHODS[name](answers)
    assert result.posteriors.shape == (answers.n_tasks, answers.n_classes)
    assert np.all((result.posteriors >= 0) & (result.posteriors <= 1))
    np.testing.assert_allclose(result.posteriors.sum(axis=1), 1.0, atol=1e-9)
    assert np.all((result.confidences >= 0) & (result.confidences <= 1))
    chosen = result.posteriors[np.arange(answers.n_tasks), result.labels]
    np.testing.assert_allclose(chosen, result.posteriors.max(axis=1))
    assert isinstance(result.converged, bool) and result.iterations >= 0


@SETTINGS
@given(answers=answer_sets(), name=st.sampled_from(METHODS), seed=st.integers(0, 2**16))
def test_renumbering_tasks_and_workers_and_shuffling_rows_changes_nothing(
    answers: Answers, name: str, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    task_perm = rng.permutation(answers.n_tasks)
    worker_perm = rng.permutation(answers.n_workers)
    rows = rng.permutation(answers.n_answers)
    shuffled = Answers(
        task_perm[answers.task][rows],
        worker_perm[answers.worker][rows],
        answers.label[rows],
        answers.n_tasks,
        answers.n_workers,
        answers.n_classes,
    )
    method = CATEGORICAL_METHODS[name]
    original, permuted = method(answers), method(shuffled)
    np.testing.assert_allclose(permuted.posteriors[task_perm], original.posteriors, atol=1e-6)


@SETTINGS
@given(answers=answer_sets(), name=st.sampled_from(METHODS))
def test_inputs_are_never_mutated(answers: Answers, name: str) -> None:
    columns = [answers.task.copy(), answers.worker.copy(), answers.label.copy()]
    raw = [column.copy() for column in columns]
    writable = Answers(*columns, answers.n_tasks, answers.n_workers, answers.n_classes)
    CATEGORICAL_METHODS[name](writable)
    for before, after in zip(raw, columns, strict=True):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(writable.task, raw[0])
