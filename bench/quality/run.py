"""Quality and speed of Assay's truth inference, side by side with crowd-kit 1.4.2.

One command: ``python bench/quality/run.py`` (any Python: it re-runs itself in the
benchmark venv, building it with ``setup.sh`` the first time). Reads the public datasets
in place from ``shared/datasets/crowd`` (or ``$ASSAY_CROWD_DATASETS``); copies nothing.

Options: ``--skip-scale`` (datasets only), ``--scale-only``, ``--scale-runs N`` (repeat the
1M-answer workload N times, one table per run; the machine is noisy), ``--glad-timeout
SECONDS`` (default 120).

Every model in the scale table reads the CSV the same way: ``pd.read_csv(dtype=str)`` with
the pyarrow engine when pyarrow is installed (crowd-kit brings it), else pandas' C engine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV_PYTHON = ROOT / ".bench" / "quality-venv" / "bin" / "python"


def _ensure_bench_venv() -> None:
    try:
        import crowdkit  # noqa: F401
        import pandas  # noqa: F401

        import assay.algorithms  # noqa: F401
    except ImportError:
        if os.environ.get("ASSAY_BENCH_REEXEC"):
            raise
        if not VENV_PYTHON.exists():
            subprocess.run(["bash", str(HERE / "setup.sh")], check=True)
        env = dict(os.environ, ASSAY_BENCH_REEXEC="1")
        os.execve(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *sys.argv[1:]], env)


_ensure_bench_venv()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from crowdkit.aggregation import DawidSkene as CkDawidSkene  # noqa: E402

sys.path.insert(0, str(HERE))
from datasets import CATEGORICAL, load  # noqa: E402
from synthetic import write_csv  # noqa: E402

from assay.algorithms import (  # noqa: E402
    CATEGORICAL_METHODS,
    DEFAULT_CATEGORICAL_METHOD,
    NUMERIC_METHODS,
    encode_answers,
    encode_ratings,
)
from assay.algorithms import crowdkit_compat as ours  # noqa: E402
from assay.algorithms.settle import may_overrule  # noqa: E402

REFERENCE_CROWDKIT_DS = {
    "d_product": 0.9397, "d_possent": 0.9600, "s_rel": 0.6173, "s_adult": 0.7658,
    "duck": 0.8889, "dog": 0.8426, "face": 0.6404,
}
OURS = list(CATEGORICAL_METHODS)


def markdown(table: pd.DataFrame) -> str:
    """A markdown table (pandas' own needs tabulate, which crowd-kit does not bring)."""
    def cell(value: object) -> str:
        return f"{value:.4g}" if isinstance(value, float) and abs(value) >= 100 else (
            f"{value:.4f}" if isinstance(value, float) else str(value))
    header = [str(table.index.name or ""), *map(str, table.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for index, row in table.iterrows():
        lines.append("| " + " | ".join([str(index), *(cell(v) for v in row)]) + " |")
    return "\n".join(lines)


def accuracy(predicted: dict[str, str], truth: dict[str, str]) -> float:
    """Accuracy on the gold tasks that have answers (s_adult: 333 of its 1,517)."""
    shared = [task for task in truth if task in predicted]
    return sum(predicted[task] == truth[task] for task in shared) / len(shared)


def categorical_table() -> None:
    rows = []
    times: dict[str, list[float]] = {name: [] for name in [*OURS, "crowdkit_ds"]}
    for name in CATEGORICAL:
        data = load(name)
        row: dict[str, object] = {"dataset": name}
        start = time.perf_counter()
        answers, encoding = encode_answers(data.tasks, data.workers, data.labels)
        encode_time = time.perf_counter() - start
        for method in OURS:
            start = time.perf_counter()
            result = CATEGORICAL_METHODS[method](answers)
            elapsed = time.perf_counter() - start + encode_time
            labels = encoding.decode_labels(result.labels)
            row[method] = accuracy(dict(zip(encoding.tasks, labels, strict=True)), data.truth)
            times[method].append(elapsed)
        # What the platform's results are at a fixed overlap after a refit: plurality,
        # overruled by Dawid-Skene where assay.algorithms.settle allows.
        plurality = CATEGORICAL_METHODS["majority_vote"](answers).labels
        fit = CATEGORICAL_METHODS["dawid_skene"](answers)
        settled = np.where(may_overrule(answers, fit.posteriors), fit.labels, plurality)
        row["platform_fixed"] = accuracy(
            dict(zip(encoding.tasks, encoding.decode_labels(settled), strict=True)),
            data.truth)
        frame = pd.DataFrame({"task": data.tasks, "worker": data.workers, "label": data.labels})
        start = time.perf_counter()
        predicted = CkDawidSkene(n_iter=100).fit_predict(frame)
        times["crowdkit_ds"].append(time.perf_counter() - start)
        row["crowdkit_ds"] = accuracy(predicted.astype(str).to_dict(), data.truth)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("dataset")
    table.loc["mean"] = table.mean()
    table["default-ck"] = table[DEFAULT_CATEGORICAL_METHOD] - table["crowdkit_ds"]
    table["ck_reference"] = pd.Series({**REFERENCE_CROWDKIT_DS, "mean": 0.8078})
    print(f"\n## Accuracy (default method: {DEFAULT_CATEGORICAL_METHOD})\n")
    print(markdown(table))
    total = {method: sum(values) for method, values in times.items()}
    print("\n## Total time over the 7 categorical sets (s, ours include encoding)\n")
    print(markdown(pd.Series(total).to_frame("seconds")))


def numeric_table() -> None:
    data = load("n_emotion")
    ratings, encoding = encode_ratings(data.tasks, data.workers, [float(x) for x in data.labels])
    truth = np.array([float(data.truth[task]) for task in encoding.tasks])
    rows = {}
    for method, function in NUMERIC_METHODS.items():
        values = function(ratings).values
        rows[method] = {
            "MAE": float(np.abs(values - truth).mean()),
            "RMSE": float(np.sqrt(((values - truth) ** 2).mean())),
        }
    print("\n## n_emotion (numeric)\n")
    print(markdown(pd.DataFrame(rows).T))


def _csv_engine() -> str:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return "c"
    return "pyarrow"


def _timed_fit(answers_csv: Path, model: Any) -> tuple[float, float, pd.Series]:
    """Read the CSV and ``fit_predict`` it; return (read seconds, fit seconds, labels)."""
    start = time.perf_counter()
    frame = pd.read_csv(answers_csv, dtype=str, engine=_csv_engine())
    read = time.perf_counter() - start
    start = time.perf_counter()
    labels = model.fit_predict(frame)
    return read, time.perf_counter() - start, labels


GLAD_CHILD = """
import sys, time, pandas as pd
from crowdkit.aggregation import GLAD
frame = pd.read_csv(sys.argv[1], dtype=str)
start = time.perf_counter()
GLAD(n_iter=int(sys.argv[2])).fit_predict(frame)
print(time.perf_counter() - start)
"""


def _crowdkit_glad(answers_csv: Path, timeout: float) -> str:
    command = [sys.executable, "-c", GLAD_CHILD, str(answers_csv), "100"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        return f"{float(done.stdout.split()[-1]):.1f} s"
    except subprocess.TimeoutExpired:
        pass
    # Did not finish: measure its rate on the first 20,000 answers, 10 iterations.
    frame = pd.read_csv(answers_csv, dtype=str).head(20_000)
    small = answers_csv.with_name("small.csv")
    frame.to_csv(small, index=False)
    try:
        done = subprocess.run([sys.executable, "-c", GLAD_CHILD, str(small), "10"],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s (did not finish, nor did 10 iterations on 20k answers)"
    rate = 20_000 * 10 / float(done.stdout.split()[-1])
    return f"> {timeout:.0f} s (did not finish; {rate:,.0f} answer-iterations/s on 20k answers)"


def scale_table(glad_timeout: float, runs: int) -> None:
    with tempfile.TemporaryDirectory(dir=ROOT / ".bench") as folder:
        answers_csv, truth_csv = write_csv(Path(folder), np.random.default_rng(2024))
        truth = pd.read_csv(truth_csv, dtype=str).set_index("task")["truth"]
        # One untimed read first, so that no model pays for importing the CSV engine or for
        # a cold file cache.
        pd.read_csv(answers_csv, dtype=str, engine=_csv_engine())
        for run in range(1, runs + 1):
            _scale_run(answers_csv, truth, f"run {run} of {runs}")
        print(f"\ncrowd-kit GLAD (100 iterations): {_crowdkit_glad(answers_csv, glad_timeout)}")


def _scale_run(answers_csv: Path, truth: pd.Series, title: str) -> None:
    models = {
        "assay dawid_skene": ours.DawidSkene(),
        "assay glad": ours.GLAD(),
        "assay mace": ours.MACE(),
        "assay majority_vote": ours.MajorityVote(),
        "crowd-kit DawidSkene": CkDawidSkene(n_iter=100),
    }
    warm_up = pd.read_csv(answers_csv, dtype=str, nrows=10_000)
    rows = {}
    for name, model in models.items():
        model.fit_predict(warm_up)  # untimed: first-call costs (lazy imports, caches)
        read, fit, labels = _timed_fit(answers_csv, model)
        correct = float((labels[truth.index] == truth).mean())
        rows[name] = {"read CSV s": read, "fit_predict s": fit, "total s": read + fit,
                      "accuracy": correct}
    table = pd.DataFrame(rows).T
    for column in ("fit_predict s", "total s"):
        base = table.loc["assay dawid_skene", column]
        table[f"{column.split()[0]} / assay DS"] = table[column] / base
    print("\n## Scale: 1,000,000 answers (200k tasks x 5, 2,000 workers, 4 classes, "
          f"10% spammers), CSV to labels ({title}; CSV engine: {_csv_engine()})\n")
    print(markdown(table))
    for column in ("fit_predict s", "total s"):
        ratio = table.loc["crowd-kit DawidSkene", column] / table.loc["assay dawid_skene", column]
        print(f"crowd-kit DawidSkene / assay dawid_skene, {column.split()[0]}: {ratio:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--scale-only", action="store_true")
    parser.add_argument("--scale-runs", type=int, default=1)
    parser.add_argument("--glad-timeout", type=float, default=120.0)
    args = parser.parse_args()
    (ROOT / ".bench").mkdir(exist_ok=True)
    if not args.scale_only:
        categorical_table()
        numeric_table()
    if not args.skip_scale:
        scale_table(args.glad_timeout, args.scale_runs)


if __name__ == "__main__":
    main()
