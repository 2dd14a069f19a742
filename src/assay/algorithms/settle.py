"""When a model's label may overrule the workers' plurality on a task.

The platform completes a fixed-overlap task with the plurality of its answers; after each
refit it replaces that result with Dawid-Skene's label where this rule allows
(:mod:`assay.quality.resettle`). The model may overrule a task when

- the task has at least ``MIN_ANSWERS`` answers (a lone answer is all the evidence there
  is: a model that flips it does so on the class prior and the worker's record alone);
- one of the task's workers gave the model's label (on a handful of tasks, or with a
  strong class prior, a fit can favour a label nobody gave);
- the model's posterior of it is at least ``MIN_CONFIDENCE``.

Measured on the public benchmarks (``bench/quality/run.py``, column
``platform_fixed``), plurality overruled this way scores a little above Dawid-Skene alone.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from assay.algorithms.answers import Answers
from assay.algorithms.errors import InvalidParameterError

MIN_ANSWERS = 2
MIN_CONFIDENCE = 0.5

BoolArray = npt.NDArray[np.bool_]


def may_overrule(answers: Answers, posteriors: npt.ArrayLike) -> BoolArray:
    """``(n_tasks,)``: where the model's best label (``posteriors.argmax(1)``) may replace
    the workers' plurality.

    >>> a = Answers(task=np.array([0, 0, 0, 1]), worker=np.array([0, 1, 2, 0]),
    ...             label=np.array([0, 1, 1, 0]), n_tasks=2, n_workers=3, n_classes=3)
    >>> may_overrule(a, [[0.1, 0.8, 0.1], [0.1, 0.8, 0.1]]).tolist()
    [True, False]
    >>> may_overrule(a, [[0.1, 0.2, 0.7], [0.9, 0.05, 0.05]]).tolist()  # nobody said 2
    [False, False]
    """
    post = np.asarray(posteriors, dtype=np.float64)
    if post.shape != (answers.n_tasks, answers.n_classes):
        raise InvalidParameterError("posteriors must have shape (n_tasks, n_classes)")
    best = post.argmax(axis=1)
    given = np.zeros(post.shape, dtype=bool)
    given[answers.task, answers.label] = True
    n = np.bincount(answers.task, minlength=answers.n_tasks)
    result: BoolArray = ((n >= MIN_ANSWERS) & given[np.arange(answers.n_tasks), best]
                         & (post.max(axis=1) >= MIN_CONFIDENCE))
    return result
