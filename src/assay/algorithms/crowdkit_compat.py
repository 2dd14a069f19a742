"""crowd-kit style classes over the array functions: ``fit_predict(df)`` on a pandas
DataFrame with ``task``, ``worker`` and ``label`` columns.

pandas is used only here, at the boundary, and imported lazily: the rest of
``assay.algorithms`` does not need it.

>>> import pandas as pd
>>> df = pd.DataFrame({"task": ["t1", "t1", "t2"], "worker": ["a", "b", "a"],
...                    "label": ["cat", "cat", "dog"]})
>>> DawidSkene(n_iter=50).fit_predict(df).to_dict()
{'t1': 'cat', 't2': 'dog'}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assay.algorithms.answers import Answers, DuplicatePolicy, Encoding, encode_answers
from assay.algorithms.dawid_skene import dawid_skene
from assay.algorithms.errors import LabelOutOfRangeError, LengthMismatchError, NoAnswersError
from assay.algorithms.glad import glad
from assay.algorithms.mace import mace
from assay.algorithms.majority import majority_vote, weighted_majority_vote
from assay.algorithms.one_coin import one_coin_dawid_skene
from assay.algorithms.results import TruthResult

__all__ = [
    "GLAD",
    "MACE",
    "DawidSkene",
    "MajorityVote",
    "OneCoinDawidSkene",
    "WeightedMajorityVote",
]


@dataclass(frozen=True)
class _FrameCodes:
    """Coded answers plus the pandas ``Index`` objects of the ids behind the codes."""

    answers: Answers
    tasks: Any
    workers: Any
    classes: Any

    def encoding(self) -> Encoding:
        # tolist() converts in C; iterating a pandas array element by element is slow.
        return Encoding(
            tuple(self.tasks.tolist()), tuple(self.workers.tolist()),
            tuple(self.classes.tolist()),
        )


def _encode_frame(data: Any, duplicates: DuplicatePolicy) -> _FrameCodes:
    """Like :func:`encode_answers`, with pandas' (much faster) factorize for the columns."""
    import pandas as pd

    try:
        label_codes, classes = pd.factorize(data["label"], sort=True)
    except TypeError:  # labels that cannot be sorted: the generic encoder handles them
        answers, encoding = encode_answers(
            data["task"].tolist(),
            data["worker"].tolist(),
            data["label"].tolist(),
            duplicates=duplicates,
        )
        return _FrameCodes(
            answers, pd.Index(encoding.tasks, dtype=object),
            pd.Index(encoding.workers, dtype=object), pd.Index(encoding.classes, dtype=object),
        )
    task_codes, tasks = pd.factorize(data["task"])
    worker_codes, workers = pd.factorize(data["worker"])
    if min(task_codes.min(initial=0), worker_codes.min(initial=0), label_codes.min(initial=0)) < 0:
        raise LabelOutOfRangeError("task, worker and label must not be missing (NaN)")
    if len(task_codes) == 0:
        raise NoAnswersError("there are no answers to aggregate")
    answers = Answers(
        task_codes, worker_codes, label_codes, len(tasks), len(workers), len(classes)
    ).deduplicated(duplicates)
    return _FrameCodes(answers, tasks, workers, classes)


class _Aggregator:
    """Shared ``fit`` / ``fit_predict`` / ``fit_predict_proba``; subclasses set ``_run``.

    After ``fit``: ``result_`` (the :class:`TruthResult`), ``encoding_`` (the
    :class:`Encoding` of the ids), ``labels_`` (a Series indexed by task, named
    ``agg_label``) and ``probas_`` (a DataFrame, tasks x labels).
    """

    def __init__(self, *, duplicates: DuplicatePolicy = "last") -> None:
        self.duplicates: DuplicatePolicy = duplicates
        self.result_: TruthResult | None = None
        self.labels_: Any = None
        self.probas_: Any = None
        self._codes: _FrameCodes | None = None

    @property
    def encoding_(self) -> Encoding | None:
        """The ids behind the codes of the last fit (built on first access: with 200,000
        tasks, turning their ids into a tuple costs as much as a few EM iterations)."""
        return None if self._codes is None else self._codes.encoding()

    def _run(self, answers: Answers) -> TruthResult:
        raise NotImplementedError

    def fit(self, data: Any) -> _Aggregator:
        """Fit on a DataFrame with ``task``, ``worker`` and ``label`` columns."""
        import pandas as pd

        missing = {"task", "worker", "label"} - set(data.columns)
        if missing:
            raise LengthMismatchError(f"the DataFrame lacks column(s) {sorted(missing)}")
        codes = _encode_frame(data, self.duplicates)
        result = self._run(codes.answers)
        index = pd.Index(codes.tasks, name="task")
        self.result_, self._codes = result, codes
        self.labels_ = pd.Series(
            codes.classes.take(result.labels), index=index, name="agg_label"
        )
        self.probas_ = pd.DataFrame(
            result.posteriors, index=index, columns=pd.Index(codes.classes, name="label")
        )
        return self

    def fit_predict(self, data: Any) -> Any:
        """Fit and return the label per task (a Series indexed by task)."""
        return self.fit(data).labels_

    def fit_predict_proba(self, data: Any) -> Any:
        """Fit and return the posteriors (a DataFrame: tasks x labels, rows sum to 1)."""
        return self.fit(data).probas_


class MajorityVote(_Aggregator):
    """Plain majority vote (:func:`~assay.algorithms.majority.majority_vote`)."""

    def _run(self, answers: Answers) -> TruthResult:
        return majority_vote(answers)


class WeightedMajorityVote(_Aggregator):
    """Majority vote with estimated worker weights
    (:func:`~assay.algorithms.majority.weighted_majority_vote`)."""

    def __init__(self, n_iter: int = 20, **options: Any) -> None:
        super().__init__(**options)
        self.n_iter = n_iter

    def _run(self, answers: Answers) -> TruthResult:
        return weighted_majority_vote(answers, max_iter=self.n_iter)


class _Iterative(_Aggregator):
    _function: Callable[..., TruthResult]

    def __init__(
        self,
        n_iter: int = 100,
        tol: float | None = None,
        *,
        duplicates: DuplicatePolicy = "last",
        **params: Any,
    ) -> None:
        super().__init__(duplicates=duplicates)
        self.n_iter = n_iter
        self.tol = tol
        self.params = params

    def _run(self, answers: Answers) -> TruthResult:
        function = type(self)._function
        tolerance = {} if self.tol is None else {"tol": self.tol}  # None: the function's
        return function(answers, max_iter=self.n_iter, **tolerance, **self.params)


class DawidSkene(_Iterative):
    """Dawid-Skene (:func:`~assay.algorithms.dawid_skene.dawid_skene`); extra keyword
    arguments (``smoothing``, ``shrinkage``, ...) go to the function."""

    _function = staticmethod(dawid_skene)


class OneCoinDawidSkene(_Iterative):
    """One-coin Dawid-Skene (:func:`~assay.algorithms.one_coin.one_coin_dawid_skene`)."""

    _function = staticmethod(one_coin_dawid_skene)


class GLAD(_Iterative):
    """GLAD (:func:`~assay.algorithms.glad.glad`)."""

    _function = staticmethod(glad)


class MACE(_Iterative):
    """MACE (:func:`~assay.algorithms.mace.mace`)."""

    _function = staticmethod(mace)
