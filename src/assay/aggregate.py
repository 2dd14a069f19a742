"""``assay aggregate``: truth inference over a CSV of answers, from the command line.

Input: a CSV whose header includes ``worker``, ``task`` and ``label`` (other columns are
ignored; labels are strings). Output: ``task,label,confidence``, one row per task, in the
order tasks first appear.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TextIO

from assay.algorithms import (
    CATEGORICAL_METHODS,
    DEFAULT_CATEGORICAL_METHOD,
    AlgorithmInputError,
    encode_answers,
)
from assay.errors import InvalidInput

REQUIRED = ("worker", "task", "label")


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
    name = method or DEFAULT_CATEGORICAL_METHOD
    if name not in CATEGORICAL_METHODS:
        raise InvalidInput(f"unknown method {name!r}; choose one of "
                           f"{', '.join(sorted(CATEGORICAL_METHODS))}")
    source = Path(path)
    if not source.is_file():
        raise InvalidInput(f"{path}: no such file")
    try:
        with source.open(encoding="utf-8", newline="") as handle:
            workers, tasks, labels = read_answers(handle, path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"{path}: not a UTF-8 CSV file ({exc})") from exc
    try:
        answers, encoding = encode_answers(tasks, workers, labels)
        result = CATEGORICAL_METHODS[name](answers)
    except AlgorithmInputError as exc:
        raise InvalidInput(f"{path}: {exc}") from exc
    confidences = result.confidences
    chosen = encoding.decode_labels(result.labels)
    target = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
    try:
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(("task", "label", "confidence"))
        for code, task in enumerate(encoding.tasks):
            writer.writerow((task, chosen[code], f"{float(confidences[code]):.6f}"))
    finally:
        if out:
            target.close()
    return len(encoding.tasks)
