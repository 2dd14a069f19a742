"""``assay leaderboard``: battles CSV in, ``model,rating,ci_low,ci_high,battles`` out, best
first; malformed input names the row and exits 2."""

from __future__ import annotations

import csv
import io
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

STRENGTH = {"titan": 1250.0, "sage": 1100.0, "pixie": 1000.0, "mole": 800.0}


def leaderboard(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assay.cli", "leaderboard", *args],
                          capture_output=True, text=True, timeout=120)


def _battles(path: Path, n: int = 1500, seed: int = 3, header: str = "id") -> None:
    """Davidson battles (nu = 0.5) among four models, with an extra first column."""
    rng = random.Random(seed)
    names = list(STRENGTH)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header, "model_a", "model_b", "winner", "judge"])
        for i in range(n):
            a, b = rng.sample(names, 2)
            half = (STRENGTH[a] - STRENGTH[b]) * math.log(10) / 800
            weights = [math.exp(half), math.exp(-half), 0.5]
            winner = rng.choices(["a", "b", "tie"], weights)[0]
            if winner == "tie" and rng.random() < 0.3:
                winner = "both_bad"
            writer.writerow([f"r{i}", a, b, winner, "human"])


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_it_ranks_the_models_with_intervals(tmp_path: Path) -> None:
    _battles(tmp_path / "battles.csv")
    out = leaderboard(str(tmp_path / "battles.csv"), "--seed", "5")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "model,rating,ci_low,ci_high,battles"
    rows = _rows(out.stdout)
    assert [r["model"] for r in rows] == ["titan", "sage", "pixie", "mole"]
    ratings = [float(r["rating"]) for r in rows]
    assert abs(sum(ratings) / 4 - 1000) < 0.01
    for row in rows:
        assert float(row["ci_low"]) <= float(row["rating"]) <= float(row["ci_high"])
        assert float(row["ci_high"]) - float(row["ci_low"]) < 150
    assert sum(int(r["battles"]) for r in rows) == 2 * 1500


def test_a_seed_repeats_the_intervals_and_out_writes_a_file(tmp_path: Path) -> None:
    _battles(tmp_path / "battles.csv", n=300)
    first = leaderboard(str(tmp_path / "battles.csv"), "--seed", "9", "--bootstrap", "200")
    written = leaderboard(str(tmp_path / "battles.csv"), "--seed", "9", "--bootstrap", "200",
                          "--out", str(tmp_path / "board.csv"))
    assert written.returncode == 0, written.stderr
    assert "Wrote 4 models" in written.stderr
    assert (tmp_path / "board.csv").read_text() == first.stdout


def test_without_bootstrap_the_interval_cells_are_empty(tmp_path: Path) -> None:
    _battles(tmp_path / "battles.csv", n=200)
    out = leaderboard(str(tmp_path / "battles.csv"), "--bootstrap", "0")
    assert out.returncode == 0, out.stderr
    assert all(r["ci_low"] == r["ci_high"] == "" for r in _rows(out.stdout))


def test_both_bad_counts_as_a_tie_and_the_readers_agree(tmp_path: Path) -> None:
    """The same battles with ``both_bad`` written ``tie``, and again with a header the
    columnar reader leaves to the row-by-row reader (a quoted newline), give one output."""
    _battles(tmp_path / "battles.csv", n=400)
    text = (tmp_path / "battles.csv").read_text()
    (tmp_path / "ties.csv").write_text(text.replace(",both_bad,", ",tie,"))
    (tmp_path / "odd.csv").write_text('"row\nid"' + text[text.index(","):])
    outputs = [leaderboard(str(tmp_path / name), "--seed", "1", "--bootstrap", "100")
               for name in ("battles.csv", "ties.csv", "odd.csv")]
    assert all(o.returncode == 0 for o in outputs), [o.stderr for o in outputs]
    assert outputs[0].stdout == outputs[1].stdout == outputs[2].stdout


def test_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfmodel_a,model_b,winner\nx,y,a\ny,x,a\n")
    out = leaderboard(str(tmp_path / "bom.csv"), "--bootstrap", "10")
    assert out.returncode == 0, out.stderr
    assert {r["model"] for r in _rows(out.stdout)} == {"x", "y"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("model_a,model_b,winner\nx,y,a\nx,y,left\n",
         "row 3: winner 'left' is not one of a, b, tie, both_bad"),
        ("model_a,model_b,winner\nx,y,a\nx,y\n", "row 3: expected 3 columns, got 2"),
        ("model_a,model_b,winner\nx,y,a\n,y,b\n", "row 3: model_a is empty"),
        ("model_a,model_b,winner\nx,y,a\ny,z,b\nz,z,tie\n", "row 4: model 'z' battles itself"),
        ("model_a,winner\nx,a\n", "row 1: the header lacks model_b"),
        ("", "the file is empty"),
        ("model_a,model_b,winner\n", "there are no battles"),
    ],
)
def test_malformed_input_names_the_row(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    out = leaderboard(str(bad))
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.count("\n") == 1 and message in out.stderr, out.stderr


def test_disconnected_models_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "apart.csv"
    bad.write_text("model_a,model_b,winner\nx,y,a\ny,x,b\nu,v,tie\nv,w,a\n")
    out = leaderboard(str(bad))
    assert out.returncode == 2
    assert "2 groups that never met" in out.stderr and "{u, v, w}; {x, y}" in out.stderr


def test_bad_arguments_and_missing_files_exit_2(tmp_path: Path) -> None:
    assert leaderboard(str(tmp_path / "none.csv")).returncode == 2
    (tmp_path / "ok.csv").write_text("model_a,model_b,winner\nx,y,a\ny,x,a\n")
    assert leaderboard(str(tmp_path / "ok.csv"), "--bootstrap", "-1").returncode == 2
    assert leaderboard(str(tmp_path / "ok.csv"), "--seed", "x").returncode == 2
    assert leaderboard(str(tmp_path / "ok.csv"), "--seed", "-3").returncode == 2
    (tmp_path / "latin1.csv").write_bytes(b"model_a,model_b,winner\nx\xe9,y,a\n")
    out = leaderboard(str(tmp_path / "latin1.csv"))
    assert out.returncode == 2 and "not a UTF-8 CSV file" in out.stderr
