"""``assay aggregate``: truth inference over a CSV of answers, from the command line.

Input: a CSV whose header includes ``worker``, ``task`` and ``label`` (other columns are
ignored; labels are strings; a UTF-8 byte-order mark is skipped). Output:
``task,label,confidence``, one row per task, in the order tasks first appear.

A clean file is read column-wise by :mod:`assay.answers_csv` (pyarrow), on a thread, while
this one imports the algorithms; anything else goes through :func:`read_answers`, row by
row, which names the first bad row. Nothing heavy is imported at module level, so ``assay``
starts fast for every other command.
"""

from __future__ import annotations

import csv
import sys
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from assay.errors import InvalidInput

# The categorical methods, default first, without importing them (the CLI's --help lists
# them; tests/test_aggregate_cli.py checks this against algorithms.CATEGORICAL_METHODS).
AGGREGATE_METHODS = ("dawid_skene", "glad", "mace", "majority_vote", "one_coin_dawid_skene",
                     "weighted_majority_vote")

if TYPE_CHECKING:
    from assay.algorithms import Answers, Encoding
    from assay.algorithms.answers import IntArray
    from assay.algorithms.results import FloatArray
    from assay.answers_csv import Columns

REQUIRED = ("worker", "task", "label")
QUOTED = (",", '"', "\r", "\n")
WRITE_BLOCK = 65_536


def read_answers(handle: TextIO, name: str) -> tuple[list[str], list[str], list[str]]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput(f"{name}: the file is empty (expected a header with "
                           "worker,task,label)") from None
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput(f"{name}: row 1: the header lacks {', '.join(missing)}")
    at = [header.index(c) for c in REQUIRED]
    workers: list[str] = []
    tasks: list[str] = []
    labels: list[str] = []
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != len(header):
            raise InvalidInput(f"{name}: row {line}: expected {len(header)} columns, "
                               f"got {len(row)}")
        worker, task, label = (row[i] for i in at)
        for column, value in zip(REQUIRED, (worker, task, label), strict=True):
            if value == "":
                raise InvalidInput(f"{name}: row {line}: {column} is empty")
        workers.append(worker)
        tasks.append(task)
        labels.append(label)
    if not tasks:
        raise InvalidInput(f"{name}: there are no answers after the header")
    return workers, tasks, labels


def aggregate_csv(path: str, method: str | None, out: str | None) -> int:
    """Run the method and write the result; returns the number of tasks."""
    from assay.answers_csv import Columns, Reading, read_columnar

    source = Path(path)
    # pyarrow parses without holding the GIL, so the file is read on a thread while this
    # one imports the algorithms (scipy): with two cores free the read costs no wall time.
    reading = Reading[Columns](source, read_columnar) if source.is_file() else None
    try:
        import assay.algorithms as algorithms

        name = method or algorithms.DEFAULT_CATEGORICAL_METHOD
        if name not in AGGREGATE_METHODS:
            raise InvalidInput(f"unknown method {name!r}; choose one of "
                               f"{', '.join(sorted(AGGREGATE_METHODS))}")
        fit = getattr(algorithms, name)  # only the chosen method's module is imported
    except BaseException:
        if reading is not None:
            reading.join()  # no exit while the thread is inside pyarrow
        raise
    if reading is None:
        raise InvalidInput(f"{path}: no such file")
    answers, encoding = _load(source, path, reading.result())
    from assay.algorithms import AlgorithmInputError

    try:
        result = fit(answers)
    except AlgorithmInputError as exc:
        raise InvalidInput(f"{path}: {exc}") from exc
    target = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
    try:
        write_result(target, encoding, result.labels, result.confidences)
    finally:
        if out:
            target.close()
    return len(encoding.tasks)


def _load(source: Path, path: str, columns: Columns | None) -> tuple[Answers, Encoding]:
    """The columnar reader's answers when the file was clean, else the row-by-row reader's
    (which names the row at fault); both encode the same file the same way."""
    from assay.algorithms import AlgorithmInputError, Answers, Encoding, encode_answers

    try:
        if columns is not None:
            answers = Answers(columns.task, columns.worker, columns.label, len(columns.tasks),
                              len(columns.workers), len(columns.classes))
            encoding = Encoding(columns.tasks, columns.workers, columns.classes)
            return answers.deduplicated("last"), encoding
        try:
            with source.open(encoding="utf-8-sig", newline="") as handle:
                workers, tasks, labels = read_answers(handle, path)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInput(f"{path}: not a UTF-8 CSV file ({exc})") from exc
        return encode_answers(tasks, workers, labels)
    except AlgorithmInputError as exc:
        raise InvalidInput(f"{path}: {exc}") from exc


def write_result(target: TextIO, encoding: Encoding, labels: IntArray,
                 confidences: FloatArray) -> None:
    """``task,label,confidence`` rows, byte for byte what ``csv.writer`` writes."""
    tasks = encoding.tasks
    chosen = [encoding.classes[code] for code in labels.tolist()]
    confidence = confidences.tolist()
    target.write("task,label,confidence\n")
    if _needs_quotes(tasks) or _needs_quotes(encoding.classes):
        csv.writer(target, lineterminator="\n").writerows(
            (task, label, f"{value:.6f}")
            for task, label, value in zip(tasks, chosen, confidence, strict=True))
        return
    # Nothing to quote: one %-format per block of rows is three times csv.writer's speed
    # (and "%.6f" rounds exactly as f"{value:.6f}" does).
    for start in range(0, len(tasks), WRITE_BLOCK):
        end = min(start + WRITE_BLOCK, len(tasks))
        cells = chain.from_iterable(zip(tasks[start:end], chosen[start:end],
                                        confidence[start:end], strict=True))
        target.write(("%s,%s,%.6f\n" * (end - start)) % tuple(cells))


def _needs_quotes(values: tuple[Any, ...]) -> bool:
    """Whether ``csv.writer`` would quote any of these strings (minimal quoting)."""
    joined = "".join(values)
    return any(char in joined for char in QUOTED)
