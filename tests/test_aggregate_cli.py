"""``assay aggregate``: CSV in, ``task,label,confidence`` out, errors naming the row."""

from __future__ import annotations

import csv
import io
import random
import subprocess
import sys
from pathlib import Path

import pytest


def aggregate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assay.cli", "aggregate", *args],
                          capture_output=True, text=True, timeout=120)


def _crowd(path: Path, n_tasks: int = 60) -> dict[str, str]:
    """Five honest workers (90%) and two spammers; returns the truth."""
    rng = random.Random(3)
    truth = {f"t{i}": rng.choice(["cat", "dog", "bird"]) for i in range(n_tasks)}
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "task", "worker", "label"])
        for task, label in truth.items():
            for w in range(7):
                honest = w < 5 and rng.random() < 0.9
                answer = label if honest else rng.choice(["cat", "dog", "bird"])
                writer.writerow([f"r{task}{w}", task, f"w{w}", answer])
    return truth


def test_default_method_recovers_the_truth(tmp_path: Path) -> None:
    truth = _crowd(tmp_path / "answers.csv")
    out = aggregate(str(tmp_path / "answers.csv"))
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["task", "label", "confidence"]
    assert [r["task"] for r in rows] == list(truth)
    correct = sum(r["label"] == truth[r["task"]] for r in rows)
    assert correct >= 0.95 * len(truth)
    assert all(0.0 <= float(r["confidence"]) <= 1.0 for r in rows)


@pytest.mark.parametrize("method", ["majority_vote", "glad", "mace", "one_coin_dawid_skene"])
def test_every_method_writes_a_file(tmp_path: Path, method: str) -> None:
    truth = _crowd(tmp_path / "answers.csv", 20)
    out = aggregate(str(tmp_path / "answers.csv"), "--method", method,
                    "--out", str(tmp_path / "out.csv"))
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader((tmp_path / "out.csv").open()))
    assert len(rows) == len(truth)


def test_malformed_input_names_the_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("worker,task,label\nw1,t1,a\nw2,t1\n")
    out = aggregate(str(bad))
    assert out.returncode == 2 and "row 3" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    bad.write_text("worker,task\nw1,t1\n")
    out = aggregate(str(bad))
    assert out.returncode == 2 and "label" in out.stderr
    bad.write_text("worker,task,label\nw1,,a\n")
    out = aggregate(str(bad))
    assert out.returncode == 2 and "row 2: task is empty" in out.stderr
    assert aggregate(str(tmp_path / "missing.csv")).returncode == 2
    assert aggregate(str(bad), "--method", "nope").returncode == 2


def test_the_help_lists_every_method_the_command_accepts() -> None:
    from assay.aggregate import AGGREGATE_METHODS
    from assay.algorithms import CATEGORICAL_METHODS, DEFAULT_CATEGORICAL_METHOD

    assert sorted(AGGREGATE_METHODS) == sorted(CATEGORICAL_METHODS)
    assert AGGREGATE_METHODS[0] == DEFAULT_CATEGORICAL_METHOD
    shown = subprocess.run([sys.executable, "-m", "assay.cli", "aggregate", "--help"],
                           capture_output=True, text=True, check=True).stdout
    assert all(name in " ".join(shown.split()) for name in CATEGORICAL_METHODS)
