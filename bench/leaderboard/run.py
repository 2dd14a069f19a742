"""``assay leaderboard`` against the leaderboards a user would otherwise build, whole process,
same data, same run.

One command: ``make bench-leaderboard`` (or ``python bench/leaderboard/run.py``). It
simulates battles from Bradley-Terry with Davidson ties (known true ratings, a normal spread
of 150 Elo points, ``nu = 0.8``: about 29% ties between equals, a third of them
``both_bad``), writes them to ``.bench/leaderboard/`` once, then times each command from
start to exit:

- ``assay leaderboard battles.csv --bootstrap R --seed 1 --out …`` in the project's venv;
- ``baselines.py fastchat``: FastChat's classic method (logistic regression on duplicated
  battles, R bootstrap rounds over pandas row samples), in the venv ``setup.sh`` builds;
- ``baselines.py choix``: choix's I-LSR fit on the decisive battles (choix has no ties),
  with a bootstrap that resamples rows.

A baseline that cannot finish its rounds within ``--budget`` seconds stops there; it is
reported as a rate (rounds per second) and the time its R rounds would take at that rate.
Coverage is the share of models whose 95% interval holds the true rating (centred on 1000,
as every output is).

Scenarios: ``issue`` — 100,000 battles among 30 models, 100 rounds (issue 13's benchmark);
``scale`` — 1,000,000 battles among 50 models, 1,000 rounds (the default of the command).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BASELINE_PYTHON = ROOT / ".bench" / "leaderboard-venv" / "bin" / "python"
FOLDER = ROOT / ".bench" / "leaderboard"
NU = 0.8
SPREAD = 150.0


@dataclass(frozen=True)
class Scenario:
    name: str
    battles: int
    models: int
    rounds: int


SCENARIOS = {
    "issue": Scenario("issue", 100_000, 30, 100),
    "scale": Scenario("scale", 1_000_000, 50, 1000),
}


def simulate(scenario: Scenario, seed: int = 2024) -> tuple[Path, Path]:
    """Write ``battles.csv`` (id,model_a,model_b,winner) and ``truth.csv`` once."""
    folder = FOLDER / f"{scenario.name}-{scenario.battles}-{scenario.models}-{seed}"
    battles, truth = folder / "battles.csv", folder / "truth.csv"
    if battles.exists() and truth.exists():
        return battles, truth
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    ratings = rng.normal(1000, SPREAD, scenario.models)
    ratings += 1000 - ratings.mean()
    n = scenario.battles
    a = rng.integers(scenario.models, size=n)
    b = (a + rng.integers(1, scenario.models, size=n)) % scenario.models
    half = (ratings[a] - ratings[b]) * np.log(10) / 800
    weights = np.stack([np.exp(half), np.exp(-half), np.full(n, NU)], axis=1)
    u = rng.random(n) * weights.sum(axis=1)
    outcome = np.where(u < weights[:, 0], 0, np.where(u < weights[:, :2].sum(axis=1), 1, 2))
    outcome = np.where((outcome == 2) & (rng.random(n) < 1 / 3), 3, outcome)
    names = np.array([f"model-{m:02d}" for m in range(scenario.models)])
    verdicts = np.array(["a", "b", "tie", "both_bad"])
    with battles.open("w") as handle:
        handle.write("id,model_a,model_b,winner\n")
        block = 100_000
        for start in range(0, n, block):
            rows = range(start, min(start + block, n))
            handle.write("".join(f"{i},{names[a[i]]},{names[b[i]]},{verdicts[outcome[i]]}\n"
                                 for i in rows))
    with truth.open("w") as handle:
        handle.write("model,truth\n")
        handle.writelines(f"{names[m]},{ratings[m]:.4f}\n" for m in range(scenario.models))
    return battles, truth


def assay_command() -> list[str]:
    script = Path(sys.executable).with_name("assay")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assay.cli"]


def run(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, the child's) and the standard output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, done.stdout


def coverage(result: Path, truth: Path) -> float:
    with truth.open(newline="") as handle:
        expected = {row["model"]: float(row["truth"]) for row in csv.DictReader(handle)}
    with result.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    hits = [float(r["ci_low"]) <= expected[r["model"]] <= float(r["ci_high"]) for r in rows]
    return sum(hits) / len(hits)


def bench(scenario: Scenario, runs: int, budget: float, baselines: list[str]) -> None:
    battles, truth = simulate(scenario)
    folder = battles.parent
    ours_out = folder / "assay_out.csv"
    ours = [*assay_command(), "leaderboard", str(battles), "--bootstrap", str(scenario.rounds),
            "--seed", "1", "--out", str(ours_out)]
    run(ours)  # untimed: the file cache, compiled bytecode
    timings = [run(ours)[:2] for _ in range(runs)]
    ours_s = statistics.median(wall for wall, _ in timings)
    ours_cpu = statistics.median(cpu for _, cpu in timings)
    title = (f"{scenario.battles:,} battles, {scenario.models} models, "
             f"{scenario.rounds} bootstrap rounds")
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"\n## {title} (whole process; assay: median of {runs}; load average before: "
          f"{load} on {os.cpu_count()} CPUs)\n")
    print("| command | wall s | CPU s | bootstrap rounds done | rounds/s | coverage of the truth |")
    print("|---|---|---|---|---|---|")
    print(f"| assay leaderboard | {ours_s:.2f} ({' '.join(f'{w:.2f}' for w, _ in timings)}) "
          f"| {ours_cpu:.2f} | {scenario.rounds} | - | {coverage(ours_out, truth):.2f} |")
    ratios = []
    cpu_ratios = []
    for method in baselines:
        out = folder / f"{method}_out.csv"
        command = [str(BASELINE_PYTHON), str(HERE / "baselines.py"), method, str(battles),
                   str(scenario.rounds), str(budget), str(out)]
        wall, cpu, stdout = run(command)
        report = json.loads(stdout.strip().splitlines()[-1])
        done, spent = report["rounds_done"], report["bootstrap_s"]
        rate = done / spent if spent > 0 else float("inf")
        if report["finished"]:
            shown, total, total_cpu = f"{wall:.2f}", wall, cpu
        else:  # the time-boxed part projected to every round at the rate measured
            total = wall - spent + scenario.rounds / rate
            # CPU seconds scaled the same way: on a busy machine they say more than the wall
            total_cpu = cpu * total / wall
            shown = f"stopped at {wall:.1f} (≈{total:.0f} for {scenario.rounds} rounds)"
        print(f"| {method} | {shown} | {cpu:.2f} | {done} | {rate:.3g} | "
              f"{coverage(out, truth):.2f} |", flush=True)
        ratios.append(f"{method} / assay: {total / ours_s:.0f}x"
                      + ("" if report["finished"] else " (projected)"))
        cpu_ratios.append(f"{method} / assay: {total_cpu / ours_cpu:.0f}x"
                          + ("" if report["finished"] else " (projected)"))
    print("\nwall-clock ratios: " + "; ".join(ratios))
    print("CPU-time ratios: " + "; ".join(cpu_ratios))
    print("load average after: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of assay (median)")
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds of bootstrap a baseline may spend before it stops")
    parser.add_argument("--baselines", default="fastchat,choix")
    args = parser.parse_args()
    if not BASELINE_PYTHON.exists():
        subprocess.run(["bash", str(HERE / "setup.sh")], check=True)
    chosen = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    for name in chosen:
        bench(SCENARIOS[name], args.runs, args.budget, args.baselines.split(","))


if __name__ == "__main__":
    main()
