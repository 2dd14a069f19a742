"""Integer-coded crowd answers and the encoder that builds them from raw ids.

Every truth-inference function takes an :class:`Answers`: three parallel integer arrays
(``task``, ``worker``, ``label``) plus the sizes of the three code spaces. Raw ids (strings,
URLs, ints) are turned into codes once, at the edge, by :func:`encode_answers`, which also
returns the :class:`Encoding` that turns codes back into ids.

Duplicate answers
-----------------
A worker may answer the same task more than once (a resubmission, or a quirk of the source).
Models that treat answers as independent evidence would count that worker twice, so
:func:`encode_answers` applies one of four documented policies:

``"last"`` (default)
    keep the worker's last answer to the task, in input order (a resubmission replaces
    the earlier one);
``"first"``
    keep the first answer;
``"keep"``
    keep every answer: each counts as a separate vote;
``"error"``
    raise :class:`DuplicateAnswerError`.

:meth:`Answers.deduplicated` applies the same policies to already coded answers.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from assay.algorithms.errors import (
    DuplicateAnswerError,
    EmptyTaskError,
    InvalidParameterError,
    LabelOutOfRangeError,
    LengthMismatchError,
    NoAnswersError,
)

IntArray = npt.NDArray[np.int64]
DuplicatePolicy = Literal["last", "first", "keep", "error"]
DUPLICATE_POLICIES: tuple[str, ...] = ("last", "first", "keep", "error")

__all__ = ["DUPLICATE_POLICIES", "Answers", "DuplicatePolicy", "Encoding", "encode_answers"]


def _as_codes(values: npt.ArrayLike, name: str) -> IntArray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise LengthMismatchError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise LabelOutOfRangeError(f"{name} must hold integer codes, got dtype {array.dtype}")
    codes = array.astype(np.int64, copy=True)
    codes.flags.writeable = False
    return codes


@dataclass(frozen=True, eq=False)
class Answers:
    """Crowd answers coded as integers: answer ``i`` says worker ``worker[i]`` gave task
    ``task[i]`` the label ``label[i]``.

    The arrays are copied and made read-only on construction, so an ``Answers`` never shares
    mutable state with its caller. Codes must lie in ``0 .. n_tasks - 1`` (and likewise for
    workers and classes).
    """

    task: IntArray
    worker: IntArray
    label: IntArray
    n_tasks: int
    n_workers: int
    n_classes: int

    def __post_init__(self) -> None:
        columns = {
            "task": _as_codes(self.task, "task"),
            "worker": _as_codes(self.worker, "worker"),
            "label": _as_codes(self.label, "label"),
        }
        lengths = {name: column.size for name, column in columns.items()}
        if len(set(lengths.values())) != 1:
            raise LengthMismatchError(f"task, worker and label differ in length: {lengths}")
        sizes = {"task": self.n_tasks, "worker": self.n_workers, "label": self.n_classes}
        for name, column in columns.items():
            size = sizes[name]
            if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
                raise InvalidParameterError(f"the number of {name} codes must be >= 1, got {size}")
            if column.size and (column.min() < 0 or column.max() >= size):
                bad = column[(column < 0) | (column >= size)][0]
                raise LabelOutOfRangeError(f"{name} code {bad} is outside 0..{size - 1}")
            object.__setattr__(self, name, column)
        object.__setattr__(self, "n_tasks", int(self.n_tasks))
        object.__setattr__(self, "n_workers", int(self.n_workers))
        object.__setattr__(self, "n_classes", int(self.n_classes))

    @property
    def n_answers(self) -> int:
        """Number of answers (rows)."""
        return int(self.task.size)

    def answers_per_task(self) -> IntArray:
        """Number of answers each task received."""
        return np.bincount(self.task, minlength=self.n_tasks).astype(np.int64)

    def require_every_task_answered(self) -> None:
        """Raise unless there is at least one answer and every task has one."""
        if self.n_answers == 0:
            raise NoAnswersError("there are no answers to aggregate")
        missing = np.flatnonzero(self.answers_per_task() == 0)
        if missing.size:
            raise EmptyTaskError(
                f"{missing.size} task(s) have no answer, the first is task code {missing[0]}"
            )

    def duplicate_mask(self) -> npt.NDArray[np.bool_]:
        """True for every answer whose (worker, task) pair occurs more than once."""
        key = self.task * self.n_workers + self.worker
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        return np.asarray(counts[inverse] > 1)

    def deduplicated(self, policy: DuplicatePolicy = "last") -> Answers:
        """Apply a duplicate policy (see the module docstring); returns a new ``Answers``
        (or ``self`` when there is nothing to drop)."""
        if policy not in DUPLICATE_POLICIES:
            raise InvalidParameterError(f"unknown duplicate policy {policy!r}")
        if policy == "keep" or self.n_answers == 0:
            return self
        key = self.task * self.n_workers + self.worker
        # A stable sort groups each (task, worker) pair with its answers in input order. It
        # is a merge sort, which takes a few passes when the answers come grouped by task.
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        repeats = ordered[1:] == ordered[:-1]
        if not repeats.any():
            return self
        if policy == "error":
            raise DuplicateAnswerError("a worker answered the same task more than once")
        if policy == "first":
            keep = order[np.concatenate(([True], ~repeats))]
        else:
            keep = order[np.concatenate((~repeats, [True]))]
        keep = np.sort(keep)
        return Answers(
            self.task[keep], self.worker[keep], self.label[keep],
            self.n_tasks, self.n_workers, self.n_classes,
        )


@dataclass(frozen=True)
class Encoding:
    """The decoders: ``tasks[c]`` is the original id of task code ``c``, and so on."""

    tasks: tuple[Any, ...]
    workers: tuple[Any, ...]
    classes: tuple[Any, ...]

    def decode_labels(self, codes: npt.ArrayLike) -> list[Any]:
        """Turn label codes back into the original labels."""
        return [self.classes[int(code)] for code in np.asarray(codes).ravel()]


def _factorize(values: Sequence[Hashable]) -> tuple[IntArray, tuple[Any, ...]]:
    index: dict[Hashable, int] = {}
    codes = np.fromiter(
        (index.setdefault(value, len(index)) for value in values), dtype=np.int64,
        count=len(values),
    )
    return codes, tuple(index)


def _class_order(labels: Sequence[Hashable]) -> tuple[Any, ...]:
    seen = dict.fromkeys(labels)
    try:
        return tuple(sorted(seen))
    except TypeError:  # mixed, unorderable labels keep their order of first appearance
        return tuple(seen)


def encode_answers(
    tasks: Sequence[Hashable],
    workers: Sequence[Hashable],
    labels: Sequence[Hashable],
    *,
    classes: Sequence[Hashable] | None = None,
    duplicates: DuplicatePolicy = "last",
) -> tuple[Answers, Encoding]:
    """Encode raw answers (any hashable ids and labels) into an :class:`Answers`.

    Parameters
    ----------
    tasks, workers, labels : sequences of the same length
        Answer ``i`` says ``workers[i]`` labelled ``tasks[i]`` as ``labels[i]``.
    classes : sequence, optional
        The label set, in code order. Give it to fix the order (ordinal scales) or to include
        classes nobody chose; a label outside it raises :class:`LabelOutOfRangeError`. By
        default the distinct labels, sorted (first-appearance order if they cannot be sorted).
    duplicates : {"last", "first", "keep", "error"}
        What to do when a worker answered a task more than once (see the module docstring).

    Returns
    -------
    answers : Answers
    encoding : Encoding
        Task and worker codes follow the order of first appearance.

    Examples
    --------
    >>> answers, encoding = encode_answers(
    ...     ["t1", "t1", "t2"], ["a", "b", "a"], ["cat", "dog", "cat"])
    >>> answers.task.tolist(), answers.label.tolist(), encoding.classes
    ([0, 0, 1], [0, 1, 0], ('cat', 'dog'))
    """
    lengths = {"tasks": len(tasks), "workers": len(workers), "labels": len(labels)}
    if len(set(lengths.values())) != 1:
        raise LengthMismatchError(f"tasks, workers and labels differ in length: {lengths}")
    if lengths["tasks"] == 0:
        raise NoAnswersError("there are no answers to encode")
    if duplicates not in DUPLICATE_POLICIES:
        raise InvalidParameterError(f"unknown duplicate policy {duplicates!r}")
    task_codes, task_ids = _factorize(tasks)
    worker_codes, worker_ids = _factorize(workers)
    class_ids = tuple(dict.fromkeys(classes)) if classes is not None else _class_order(labels)
    if not class_ids:
        raise InvalidParameterError("classes must not be empty")
    class_index = {label: code for code, label in enumerate(class_ids)}
    try:
        label_codes = np.fromiter(
            (class_index[label] for label in labels), dtype=np.int64, count=len(labels)
        )
    except KeyError as missing:
        raise LabelOutOfRangeError(f"label {missing.args[0]!r} is not one of the classes") from None
    answers = Answers(
        task_codes, worker_codes, label_codes, len(task_ids), len(worker_ids), len(class_ids)
    )
    return answers.deduplicated(duplicates), Encoding(task_ids, worker_ids, class_ids)
