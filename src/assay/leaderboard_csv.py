"""``assay leaderboard``: Bradley-Terry-Davidson ratings from a CSV of battles.

Input: a CSV whose header includes ``model_a``, ``model_b`` and ``winner`` (``a``, ``b``,
``tie`` or ``both_bad``; other columns are ignored, a UTF-8 byte-order mark is skipped).
Output: ``model,rating,ci_low,ci_high,battles``, best first, with 95% bootstrap intervals
(empty cells with ``--bootstrap 0``).

A clean file is read column-wise by pyarrow (model names factorized with a hash table, no
Python loop over rows). Anything else (a row with the wrong number of cells, an empty name,
an unknown verdict, a model against itself, bytes that are not UTF-8) sends the file to the
row-by-row reader, which names the first bad row. Nothing heavy is imported at module level.
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from assay.answers_csv import Reading, dictionary_codes, read_string_columns
from assay.errors import InvalidInput

if TYPE_CHECKING:
    from assay.algorithms import Battles, Leaderboard

REQUIRED = ("model_a", "model_b", "winner")
VERDICTS = ("a", "b", "tie", "both_bad")  # as assay.algorithms.OUTCOMES, by code


def leaderboard_csv(path: str, rounds: int, seed: int | None, out: str | None) -> int:
    """Fit, bootstrap and write the leaderboard; returns the number of models."""
    if rounds < 0:
        raise InvalidInput("--bootstrap must be 0 or more")
    if seed is not None and seed < 0:
        raise InvalidInput("--seed must be 0 or more")
    source = Path(path)
    if not source.is_file():
        raise InvalidInput(f"{path}: no such file")
    # pyarrow parses without the GIL: the file is read on a thread while this one imports
    # the algorithms (numpy, scipy).
    reading = Reading(source, read_columnar)
    try:
        from assay.algorithms import (
            AlgorithmInputError,
            DisconnectedComparisonsError,
            leaderboard,
        )
    finally:
        columns = reading.result()
    battles, models = read_battles(source, path, columns)

    try:
        board = leaderboard(battles, rounds=rounds, rng=np.random.default_rng(seed))
    except DisconnectedComparisonsError as exc:
        groups = "; ".join("{" + ", ".join(models[m] for m in group) + "}"
                           for group in exc.components[:5])
        more = f" and {len(exc.components) - 5} more" if len(exc.components) > 5 else ""
        raise InvalidInput(f"{path}: the models fall into {len(exc.components)} groups that "
                           f"never met, so their ratings cannot be compared: {groups}{more}"
                           ) from exc
    except AlgorithmInputError as exc:
        raise InvalidInput(f"{path}: {exc}") from exc
    _warn_unconverged(board)
    target = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
    try:
        write_leaderboard(target, board, models)
    finally:
        if out:
            target.close()
    return len(models)


def _warn_unconverged(board: Leaderboard) -> None:
    if not board.fit.converged:
        print(f"assay: warning: the fit stopped after {board.fit.iterations} steps without "
              "converging", file=sys.stderr)
    if board.bootstrap is not None and not board.bootstrap.converged.all():
        stuck = int((~board.bootstrap.converged).sum())
        print(f"assay: warning: {stuck} of {board.bootstrap.rounds} bootstrap rounds did not "
              "converge", file=sys.stderr)


def write_leaderboard(target: TextIO, board: Leaderboard, models: tuple[str, ...]) -> None:
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(["model", "rating", "ci_low", "ci_high", "battles"])
    # Best first; models whose printed ratings are equal by name, so that the order does
    # not depend on how the reader happened to code them.
    shown = np.round(board.ratings, 2).tolist()
    for m in sorted(range(len(models)), key=lambda m: (-shown[m], models[m])):
        writer.writerow([models[m], _number(board.ratings[m]), _number(board.ci_low[m]),
                         _number(board.ci_high[m]), int(board.battles[m])])


def _number(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.2f}"


Columns = tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]


def read_battles(source: Path, name: str,
                 columns: Columns | None = None) -> tuple[Battles, tuple[str, ...]]:
    """The battles and the model names by code: ``columns`` when the columnar reader could
    read the file, else the row-by-row reader's (which names the first bad row)."""
    from assay.algorithms import Battles

    if columns is not None:
        a, b, outcome, models = columns
        return Battles(a, b, outcome, len(models)), models
    try:
        with source.open(encoding="utf-8-sig", newline="") as handle:
            rows = read_rows(handle, name)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"{name}: not a UTF-8 CSV file ({exc})") from exc
    codes: dict[str, int] = {}
    a = np.array([codes.setdefault(row[0], len(codes)) for row in rows], dtype=np.int64)
    b = np.array([codes.setdefault(row[1], len(codes)) for row in rows], dtype=np.int64)
    outcome = np.array([VERDICTS.index(row[2]) for row in rows], dtype=np.int64)
    return Battles(a, b, outcome, len(codes)), tuple(codes)


def read_rows(handle: TextIO, name: str) -> list[tuple[str, str, str]]:
    """Every battle as ``(model_a, model_b, winner)``; the first bad row raises
    :class:`InvalidInput` naming its line."""
    reader = csv.reader(handle)
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise InvalidInput(f"{name}: the file is empty (expected a header with "
                           "model_a,model_b,winner)") from None
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise InvalidInput(f"{name}: row 1: the header lacks {', '.join(missing)}")
    at = [header.index(column) for column in REQUIRED]
    rows: list[tuple[str, str, str]] = []
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != len(header):
            raise InvalidInput(f"{name}: row {line}: expected {len(header)} columns, "
                               f"got {len(row)}")
        a, b, winner = (row[i] for i in at)
        for column, value in zip(REQUIRED, (a, b, winner), strict=True):
            if value == "":
                raise InvalidInput(f"{name}: row {line}: {column} is empty")
        if winner not in VERDICTS:
            raise InvalidInput(f"{name}: row {line}: winner {winner!r} is not one of "
                               f"{', '.join(VERDICTS)}")
        if a == b:
            raise InvalidInput(f"{name}: row {line}: model {a!r} battles itself")
        rows.append((a, b, winner))
    if not rows:
        raise InvalidInput(f"{name}: there are no battles after the header")
    return rows


def read_columnar(path: Path) -> Columns | None:
    """``(model_a, model_b, outcome)`` codes and the model names, or ``None`` when the file
    needs the row-by-row reader."""
    import pyarrow as pa

    columns = read_string_columns(path, REQUIRED, dictionary=False)
    if columns is None:
        return None
    size = len(columns[0])
    side_a, side_b, winner = columns
    model_codes, models = _factorize(pa.concat_arrays([side_a, side_b]))
    verdict_codes, verdicts = _factorize(winner)
    if "" in models or any(verdict not in VERDICTS for verdict in verdicts):
        return None
    a, b = model_codes[:size], model_codes[size:]
    if np.any(a == b):
        return None
    recode = np.array([VERDICTS.index(verdict) for verdict in verdicts], dtype=np.int64)
    return a, b, recode[verdict_codes], models


def _factorize(column: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes in order of first appearance, and the distinct values they stand for."""
    return dictionary_codes(column.dictionary_encode())
