"""``assay aggregate`` against crowd-kit's DawidSkene, whole process, in the same run.

One command: ``make bench-aggregate`` (or ``python bench/quality/aggregate_cli.py``). It writes
the scale test's synthetic crowd (1,000,000 answers: 200k tasks x 5, 2,000 workers, 4
classes, 10% spammers; ``synthetic.py``, seed 2024) to ``.bench/aggregate/`` once, then
times, turn about, N runs of each command from start to exit:

- ``assay aggregate answers.csv --out …`` in the project's venv, as a user runs it;
- a Python process that reads the same CSV with pandas (``dtype=str``, the pyarrow engine:
  the fastest pandas has), runs ``crowdkit.aggregation.DawidSkene(n_iter=100).fit_predict``
  and writes the labels with ``to_csv``, in the crowd-kit venv that ``setup.sh`` builds
  (crowd-kit pins its own pandas and numpy, so it never goes into the project's venv).

It prints every run, the medians of wall and CPU time (user + system, every thread), their
ratios and each output's accuracy against the truth. On a busy machine the wall times say
more about the neighbours than about either program; the CPU times hold up better.
Options: ``--runs N`` (default 3), ``--answers FILE`` (a CSV of your own; no accuracy then).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CROWDKIT_PYTHON = ROOT / ".bench" / "quality-venv" / "bin" / "python"
FOLDER = ROOT / ".bench" / "aggregate"

CROWDKIT_CHILD = """
import sys
import pandas as pd
from crowdkit.aggregation import DawidSkene
frame = pd.read_csv(sys.argv[1], dtype=str, engine="pyarrow")
labels = DawidSkene(n_iter=100).fit_predict(frame)
labels.rename("label").to_csv(sys.argv[2], header=True)
"""


def assay_command() -> list[str]:
    script = Path(sys.executable).with_name("assay")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assay.cli"]


def ensure_crowdkit() -> None:
    if not CROWDKIT_PYTHON.exists():
        subprocess.run(["bash", str(HERE / "setup.sh")], check=True)


def ensure_answers() -> tuple[Path, Path]:
    answers, truth = FOLDER / "answers.csv", FOLDER / "truth.csv"
    if not (answers.exists() and truth.exists()):
        sys.path.insert(0, str(HERE))
        from synthetic import write_csv

        write_csv(FOLDER, np.random.default_rng(2024))
    return answers, truth


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, all threads) of one run."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed, _children_cpu() - cpu


def accuracy(result: Path, truth: Path | None) -> str:
    if truth is None:
        return "-"
    with truth.open(newline="") as handle:
        expected = {row["task"]: row["truth"] for row in csv.DictReader(handle)}
    with result.open(newline="") as handle:
        got = {row["task"]: row["label"] for row in csv.DictReader(handle)}
    shared = [task for task in expected if task in got]
    return f"{sum(got[t] == expected[t] for t in shared) / len(shared):.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--answers", type=Path, help="a CSV with worker,task,label")
    args = parser.parse_args()
    ensure_crowdkit()
    if args.answers:
        answers, truth = args.answers, None
    else:
        answers, truth = ensure_answers()
    ours_out, theirs_out = FOLDER / "assay_out.csv", FOLDER / "crowdkit_out.csv"
    FOLDER.mkdir(parents=True, exist_ok=True)
    commands = {
        "assay aggregate": [*assay_command(), "aggregate", str(answers), "--out",
                            str(ours_out)],
        "crowd-kit DawidSkene": [str(CROWDKIT_PYTHON), "-c", CROWDKIT_CHILD, str(answers),
                                 str(theirs_out)],
    }
    # One untimed run of each first: the file cache, compiled bytecode.
    for command in commands.values():
        timed(command)
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(1, args.runs + 1):
        for name, command in commands.items():
            wall, cpu = timed(command)
            times[name].append(wall)
            cpus[name].append(cpu)
        print(f"run {run}: " + ", ".join(f"{name} {values[-1]:.2f} s"
                                         for name, values in times.items()), flush=True)
    median = statistics.median
    print(f"\n## assay aggregate vs crowd-kit DawidSkene, whole process, {answers.name} "
          f"(median of {args.runs}; load average before: {os.getloadavg()[0]:.1f})\n")
    print("| command | wall s (median) | runs, wall s | CPU s (median) | accuracy |\n"
          "|---|---|---|---|---|")
    for (name, values), out in zip(times.items(), (ours_out, theirs_out), strict=True):
        runs = " ".join(f"{v:.2f}" for v in values)
        print(f"| {name} | {median(values):.2f} | {runs} | {median(cpus[name]):.2f} | "
              f"{accuracy(out, truth)} |")
    ours, theirs = "assay aggregate", "crowd-kit DawidSkene"
    print(f"\ncrowd-kit / assay, whole process: {median(times[theirs]) / median(times[ours]):.1f}x "
          f"wall, {median(cpus[theirs]) / median(cpus[ours]):.1f}x CPU")


if __name__ == "__main__":
    main()
