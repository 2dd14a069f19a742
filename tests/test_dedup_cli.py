"""``assay dedup``: JSONL in, ``a,b,similarity`` out (exact values), errors naming the line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.algorithms.planted import brute_force_pairs, planted_corpus


def dedup(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assay.cli", "dedup", *args],
                          capture_output=True, text=True, timeout=120)


def _write(path: Path, docs: list[object]) -> None:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")


def _rows(text: str) -> list[tuple[int, int, float]]:
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == ["a", "b", "similarity"]
    return [(int(a), int(b), float(s)) for a, b, s in reader]


def test_planted_duplicates_are_written_exactly(tmp_path: Path) -> None:
    texts = planted_corpus(1200, seed=4)
    _write(tmp_path / "docs.jsonl", [{"id": i, "text": t} for i, t in enumerate(texts)])
    out = dedup(str(tmp_path / "docs.jsonl"))
    assert out.returncode == 0, out.stderr
    rows = _rows(out.stdout)
    truth = brute_force_pairs(texts, 0.8)
    assert {(a, b): s for a, b, s in rows} == truth
    assert [(a, b) for a, b, _ in rows] == sorted(truth)

    out = dedup(str(tmp_path / "docs.jsonl"), "--threshold", "0.9",
                "--out", str(tmp_path / "pairs.csv"))
    assert out.returncode == 0, out.stderr
    high = {p for p, s in truth.items() if s >= 0.9}
    assert {(a, b) for a, b, _ in _rows((tmp_path / "pairs.csv").read_text())} == high
    assert f"Wrote {len(high)} pairs of 1200 documents" in out.stderr


def test_line_numbers_count_blank_lines_and_another_field(tmp_path: Path) -> None:
    same = "one two three four five six seven eight"
    lines = ["\ufeff" + json.dumps({"body": same}), "", json.dumps({"body": "other words"}),
             "   ", json.dumps({"body": same.replace(" ", "\t ")}),
             json.dumps({"body": "other  words", "text": 1})]
    (tmp_path / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = dedup(str(tmp_path / "docs.jsonl"), "--field", "body")
    assert out.returncode == 0, out.stderr
    assert _rows(out.stdout) == [(0, 4, 1.0), (2, 5, 1.0)]


def test_no_documents_no_pairs(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("")
    out = dedup(str(tmp_path / "empty.jsonl"))
    assert out.returncode == 0 and out.stdout == "a,b,similarity\n"


@pytest.mark.parametrize(("content", "message"), [
    ('{"text": "a"}\n{"text": "b"\n', "line 2: not JSON"),
    ('{"text": "a"}\n[1, 2]\n', "line 2: expected a JSON object, got an array"),
    ('{"text": "a"}\n\n{"txt": "b"}\n', "line 3: no field 'text'"),
    ('{"text": 5}\n', "line 1: field 'text' is a number, not a string"),
    ('{"text": null}\n', "line 1: field 'text' is null, not a string"),
    (b'{"text": "\xff"}\n', "line 1: not JSON"),
])
def test_bad_input_names_the_line(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    out = dedup(str(path))
    assert out.returncode == 2, out.stderr
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert out.stdout == ""


@pytest.mark.parametrize("threshold", ["0", "-0.1", "1.5", "nan"])
def test_a_threshold_outside_zero_one_is_refused(tmp_path: Path, threshold: str) -> None:
    _write(tmp_path / "docs.jsonl", [{"text": "a"}])
    out = dedup(str(tmp_path / "docs.jsonl"), "--threshold", threshold)
    assert out.returncode == 2 and "--threshold must be in (0, 1]" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_a_missing_file_is_bad_input(tmp_path: Path) -> None:
    out = dedup(str(tmp_path / "missing.jsonl"))
    assert out.returncode == 2 and "cannot read" in out.stderr
