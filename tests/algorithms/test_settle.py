"""When a model may overrule the plurality: enough answers, a label a worker gave, a sure
enough posterior."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.algorithms.answers import Answers
from assay.algorithms.errors import InvalidParameterError
from assay.algorithms.settle import MIN_ANSWERS, MIN_CONFIDENCE, may_overrule


def _answers(task: list[int], label: list[int], n_tasks: int, k: int) -> Answers:
    return Answers(np.array(task), np.arange(len(task)), np.array(label), n_tasks,
                   len(task), k)


def test_each_condition_on_its_own() -> None:
    a = _answers([0, 0, 1, 2, 2, 3, 3], [0, 1, 1, 0, 0, 0, 1], 4, 3)
    post = np.array([[0.2, 0.8, 0.0],    # two answers, "1" was given, sure: yes
                     [0.1, 0.9, 0.0],    # one answer: no
                     [0.3, 0.1, 0.6],    # nobody gave "2": no
                     [0.45, 0.4, 0.15]])  # below MIN_CONFIDENCE: no
    assert may_overrule(a, post).tolist() == [True, False, False, False]
    assert MIN_ANSWERS == 2 and MIN_CONFIDENCE == 0.5


def test_bad_shapes_are_refused_and_inputs_left_alone() -> None:
    a = _answers([0, 0], [0, 1], 1, 2)
    post = np.array([[0.3, 0.7]])
    before = post.copy()
    may_overrule(a, post)
    assert np.array_equal(post, before)
    with pytest.raises(InvalidParameterError):
        may_overrule(a, np.array([[0.3, 0.7], [0.5, 0.5]]))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_it_only_allows_labels_given_on_tasks_with_enough_answers(data: st.DataObject) -> None:
    k = data.draw(st.integers(2, 4))
    n_tasks = data.draw(st.integers(1, 6))
    task = data.draw(st.lists(st.integers(0, n_tasks - 1), min_size=1, max_size=20))
    label = data.draw(st.lists(st.integers(0, k - 1), min_size=len(task),
                               max_size=len(task)))
    raw = np.array(data.draw(st.lists(st.floats(0.01, 1.0), min_size=n_tasks * k,
                                      max_size=n_tasks * k))).reshape(n_tasks, k)
    post = raw / raw.sum(axis=1, keepdims=True)
    allowed = may_overrule(_answers(task, label, n_tasks, k), post)
    for t in np.flatnonzero(allowed):
        mine = [lab for tk, lab in zip(task, label, strict=True) if tk == t]
        assert len(mine) >= MIN_ANSWERS and int(post[t].argmax()) in mine
        assert post[t].max() >= MIN_CONFIDENCE
