"""The columnar reader behind ``assay aggregate``: a ``worker,task,label`` CSV straight to codes.

pyarrow parses the file straight into dictionary arrays (a hash table per column: the
codes come out of the parse), so a million answers take about a tenth of a second of CPU
instead of the seconds a ``csv.reader`` loop and a Python dict need. It takes only
well-formed input: when the file is anything but a clean table of non-empty strings (a row
with the wrong number of columns, an empty value, bytes that are not UTF-8, a NUL, a header
spread over two lines), :func:`read_columnar` returns ``None`` and the row-by-row reader in
:mod:`assay.aggregate` reads the file again to name the row at fault. Both readers give the
same codes for the same file: tasks and workers in order of first appearance, classes
sorted, a worker's last answer to a task kept (:func:`assay.algorithms.encode_answers`'
defaults).

:func:`read_string_columns`, :func:`dictionary_codes` and :class:`Reading` are the parts
``assay leaderboard`` (:mod:`assay.leaderboard_csv`) reads its battles with too.

pyarrow is imported here and nowhere on the way to this module, so the commands that do not
read answers never pay for it; nothing here converts through pandas either (pyarrow imports
pandas, when installed, the first time an array is turned into numpy the ordinary way).
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

if TYPE_CHECKING:
    from assay.algorithms.answers import IntArray

REQUIRED = ("worker", "task", "label")
BOM = b"\xef\xbb\xbf"
BLOCK = 1 << 26  # one block per 64 MiB
T = TypeVar("T")


@dataclass(frozen=True)
class Columns:
    """Answers as codes plus the ids they stand for (see :func:`read_columnar`)."""

    worker: IntArray
    task: IntArray
    label: IntArray
    workers: tuple[str, ...]
    tasks: tuple[str, ...]
    classes: tuple[str, ...]


def header_line(data: bytes) -> list[str] | None:
    """The header's cells, stripped, when the header is the file's first line alone."""
    end = data.find(b"\n")
    first = data if end < 0 else data[:end + 1]
    if first.count(b'"') % 2:
        return None  # a quoted newline inside the header: the row-by-row reader decides
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        cells = next(reader)
    except (StopIteration, csv.Error):
        return None
    if reader.line_num != 1 or next(reader, None) is not None:
        return None  # a lone CR ends lines: the row-by-row reader decides
    return [cell.strip() for cell in cells]


class Reading(Generic[T]):
    """A columnar reader (``read``) running on a thread (pyarrow holds no GIL while it
    parses); :meth:`result` waits and re-raises its error."""

    def __init__(self, path: Path, read: Callable[[Path], T | None]) -> None:
        self._read = read
        self._outcome: T | BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(path,),
                                        name="assay-read-columns", daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            self._outcome = self._read(path)
        except BaseException as exc:  # handed over by result()
            self._outcome = exc

    def join(self) -> None:
        """Wait for the thread, without its answer (the way out of an error)."""
        self._thread.join()

    def result(self) -> T | None:
        """Wait for the answer; raises what the reader raised."""
        self._thread.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome


def read_string_columns(path: Path, required: tuple[str, ...], dictionary: bool,
                        block_size: int | None = None) -> list[Any] | None:
    """The ``required`` columns of a clean CSV file as pyarrow arrays of strings (parsed
    straight into dictionary arrays when ``dictionary``), in the order asked; ``None`` when
    the file needs a row-by-row reader to name what is wrong with it (bytes that are not
    UTF-8, a NUL, an odd header, a malformed row, no rows). A leading byte-order mark is
    skipped."""
    data = path.read_bytes()
    if data.startswith(BOM):
        data = data[len(BOM):]
    if b"\0" in data:
        return None  # csv.reader refuses NUL; let it say so
    try:
        data.decode("utf-8")  # every column, not only the ones pyarrow checks
    except UnicodeDecodeError:
        return None
    header = header_line(data)
    if header is None or any(column not in header for column in required):
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(len(header))]
    wanted = [names[header.index(column)] for column in required]
    # Parsed straight into dictionary arrays, the codes come out of the parse: no column
    # of strings is built first.
    kind = pa.dictionary(pa.int32(), pa.string()) if dictionary else pa.string()
    read_options = pacsv.ReadOptions(column_names=names, skip_rows=1,
                                     # One thread: this already runs beside the main
                                     # thread's imports, and on a small machine pyarrow's
                                     # pool only fights them for the cores.
                                     use_threads=False)
    if block_size is not None:
        read_options.block_size = block_size
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=read_options,
            # Quoted newlines need the slower quote-aware chunking; a file without a quote
            # character cannot have one.
            parse_options=pacsv.ParseOptions(newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted, column_types=dict.fromkeys(wanted, kind),
                strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows == 0:
        return None
    # Blocks' dictionaries are unified in order of first appearance.
    return [table.column(name).combine_chunks() for name in wanted]


def read_columnar(path: Path) -> Columns | None:
    """Read and encode the answers, or ``None`` when the file needs the row-by-row reader."""
    columns = read_string_columns(path, REQUIRED, dictionary=True, block_size=BLOCK)
    if columns is None:
        return None
    (worker, workers), (task, tasks), (label, labels) = (dictionary_codes(c) for c in columns)
    if any("" in values for values in (workers, tasks, labels)):
        return None  # an empty value: the row-by-row reader names its row
    classes = tuple(sorted(labels))
    order = {value: code for code, value in enumerate(classes)}
    recode = np.array([order[value] for value in labels], dtype=np.int64)
    return Columns(worker, task, recode[label], workers, tasks, classes)


def dictionary_codes(encoded: Any) -> tuple[IntArray, tuple[str, ...]]:
    """A dictionary array's codes (in order of first appearance) and the values they stand
    for."""
    indices = encoded.indices
    # Read the int32 buffer directly: ``to_numpy`` would import pandas, for nothing.
    codes = np.frombuffer(indices.buffers()[1], dtype=np.int32, count=len(indices),
                          offset=indices.offset * 4).astype(np.int64)
    return codes, tuple(encoded.dictionary.to_pylist())
