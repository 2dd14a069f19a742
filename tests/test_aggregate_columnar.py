"""``assay aggregate``'s columnar reader gives what the row-by-row reader gives, or steps aside.

The columnar reader (pyarrow) only takes clean files; for anything else it returns ``None``
and the row-by-row reader reads the file again, so its errors, which name the row, are the
ones the command prints.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assay.aggregate import read_answers, write_result
from assay.algorithms import Answers, Encoding, encode_answers
from assay.answers_csv import read_columnar


def _row_by_row(path: Path) -> tuple[Answers, Encoding]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        workers, tasks, labels = read_answers(handle, str(path))
    return encode_answers(tasks, workers, labels)


def _columnar(path: Path) -> tuple[Answers, Encoding] | None:
    columns = read_columnar(path)
    if columns is None:
        return None
    answers = Answers(columns.task, columns.worker, columns.label, len(columns.tasks),
                      len(columns.workers), len(columns.classes))
    encoding = Encoding(columns.tasks, columns.workers, columns.classes)
    return answers.deduplicated("last"), encoding


def _same(first: tuple[Answers, Encoding], second: tuple[Answers, Encoding]) -> None:
    (a, ea), (b, eb) = first, second
    assert ea == eb
    for name in ("task", "worker", "label"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert (a.n_tasks, a.n_workers, a.n_classes) == (b.n_tasks, b.n_workers, b.n_classes)


def aggregate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assay.cli", "aggregate", *args],
                          capture_output=True, text=True, timeout=120)


CLEAN = [
    "worker,task,label\nw1,t1,a\nw2,t1,b\nw1,t2,b\n",
    # other columns, in any order, header cells with spaces, CRLF, blank lines
    "id, label ,task,worker\r\n1,b,t9,w1\r\n\r\n2,a,t9,w2\r\n3,a,t1,w2\r\n",
    # quoted commas, quotes and newlines inside values; unicode
    'worker,task,label\n"w,1","t ""one""",ä\n"w\n2","t ""one""",b\nw1,t2,"x,y"\n',
    # labels are strings: 01 and 1 are two labels; a resubmission replaces the answer
    "worker,task,label\nw1,t1,01\nw2,t1,1\nw1,t1,1\nw3,t2,01\n",
    # a byte-order mark and no newline at the end
    "\ufeffworker,task,label\nw1,t1,a\nw2,t2,b",
]


@pytest.mark.parametrize("text", CLEAN)
def test_it_reads_clean_files_as_the_row_by_row_reader_does(tmp_path: Path, text: str) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(text.encode("utf-8"))
    fast = _columnar(path)
    assert fast is not None
    _same(fast, _row_by_row(path))


ODD = [
    "worker,task,label\nw1,t1,a\nw2,t1\n",  # a short row
    "worker,task,label\nw1,t1,a,extra\n",  # a long row
    "worker,task,label\nw1,,a\n",  # an empty value
    "worker,task,label\n",  # no answers
    "",  # empty file
    "worker,task\nw1,t1\n",  # the header lacks label
    '"wor\nker",task,label\nw1,t1,a\n',  # a header over two lines
    "worker,task,label\rw1,t1,a\r",  # lone CRs end the lines
    "worker,task,label\nw1,t\x001,a\n",  # NUL
    "worker,task,label\nw1,t1,a\n  \n",  # a line of spaces is a one-column row
]


@pytest.mark.parametrize("text", ODD)
def test_it_steps_aside_for_anything_else(tmp_path: Path, text: str) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(text.encode("utf-8"))
    assert read_columnar(path) is None


def test_it_steps_aside_for_bytes_that_are_not_utf8_even_in_an_ignored_column(
        tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(b"worker,task,label,note\nw1,t1,a,\xff\n")
    assert read_columnar(path) is None
    out = aggregate(str(path))
    assert out.returncode == 2 and "not a UTF-8 CSV file" in out.stderr


def _big(path: Path, bad_row: int, bad_line: str) -> None:
    lines = ["worker,task,label"]
    lines += [f"w{i % 7},t{i // 3},{'ab'[i % 2]}" for i in range(2, 20_001)]
    lines[bad_row - 1] = bad_line
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(("bad_line", "message"), [
    ("w1,t1", "row 12345: expected 3 columns, got 2"),
    ("w1,t1,a,b", "row 12345: expected 3 columns, got 4"),
    ("w1,,a", "row 12345: task is empty"),
    ("w1,t1,", "row 12345: label is empty"),
])
def test_a_bad_row_deep_in_a_big_file_is_named(tmp_path: Path, bad_line: str,
                                               message: str) -> None:
    path = tmp_path / "answers.csv"
    _big(path, 12_345, bad_line)
    out = aggregate(str(path))
    assert out.returncode == 2
    assert out.stderr.strip() == f"assay: {path}: {message}"


def test_blocks_of_a_big_file_share_one_dictionary(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import assay.answers_csv

    path = tmp_path / "answers.csv"
    lines = ["worker,task,label"] + [f"w{(i * 31) % 97},t{(i * 7919) % 3001},{'abc'[i % 3]}"
                                     for i in range(20_000)]
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(assay.answers_csv, "BLOCK", 4096)  # about 300 blocks
    fast = _columnar(path)
    assert fast is not None
    _same(fast, _row_by_row(path))


def test_the_output_quotes_what_csv_writer_quotes(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text('worker,task,label\nw1,"t,1","a ""b"""\nw2,t2,plain\nw1,t3,"x\ny"\n')
    out = aggregate(str(path), "--method", "majority_vote")
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ["task", "label", "confidence"]
    assert [r[:2] for r in rows[1:]] == [["t,1", 'a "b"'], ["t2", "plain"], ["t3", "x\ny"]]


@pytest.mark.parametrize("tasks", [("t1", "t2"), ("t,1", "t2"), ('t"1', "t\r2")])
def test_write_result_is_byte_for_byte_csv_writer(tasks: tuple[str, ...]) -> None:
    encoding = Encoding(tasks, ("w",), ("a", "b"))
    labels = np.array([1, 0])
    confidences = np.array([0.1234565, 1.0])
    written = io.StringIO()
    write_result(written, encoding, labels, confidences)
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(("task", "label", "confidence"))
    writer.writerows((t, encoding.classes[c], f"{v:.6f}")
                     for t, c, v in zip(tasks, labels, confidences, strict=True))
    assert written.getvalue() == expected.getvalue()


values = st.text(alphabet=st.sampled_from(list('ab,"\n\r xé1')), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(values, values, values), min_size=1, max_size=30))
def test_any_file_csv_writer_writes_reads_the_same_both_ways(
        tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, str]]) -> None:
    path = tmp_path_factory.mktemp("csv") / "answers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["task", "worker", "label"])
        writer.writerows(rows)
    expected = _row_by_row(path)
    fast = _columnar(path)
    if fast is not None:  # it may step aside (a lone CR), never disagree
        _same(fast, expected)
