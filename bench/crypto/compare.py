"""Encryption at rest against the tree before it: the labeling loop and a full export.

    git worktree add /tmp/wt-base <commit before encryption>
    python bench/crypto/compare.py --base /tmp/wt-base [--rounds 3] [--tasks 10000]

Runs ``bench/loop/run.py --skip-labelstudio`` of each tree in turn (interleaved, the order
alternating every round, so a machine getting busier hurts both alike), each tree with its
own ``src`` first on ``PYTHONPATH``, and prints every run's answers/s and export seconds
(``--tasks`` tasks, all exported) and the medians' ratio. Each run makes a fresh SQLite file
and the same master key is used by both (the baseline ignores it).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
RATE = re.compile(r"workers: \d+ answers in [\d.]+ s = ([\d.]+)/s")
EXPORT = re.compile(r"export\s+(\d+) tasks in ([\d.]+) s")


def run(tree: Path, args: argparse.Namespace) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    out = subprocess.run(
        [sys.executable, str(tree / "bench" / "loop" / "run.py"), "--skip-labelstudio",
         "--tasks", str(args.tasks), "--duration", str(args.duration),
         "--workers", str(args.workers)],
        capture_output=True, text=True, env=env, check=True, timeout=1800).stdout
    rate, export = RATE.search(out), EXPORT.search(out)
    if rate is None or export is None:
        raise SystemExit(f"unexpected output from {tree}:\n{out}")
    return float(rate.group(1)), float(export.group(2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="the tree without encryption")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    trees = {"base": args.base.resolve(), "encrypted": HERE}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for i in range(args.rounds):
        order = list(trees) if i % 2 == 0 else list(reversed(trees))
        for name in order:
            rate, export = run(trees[name], args)
            results[name].append((rate, export))
            print(f"round {i + 1} {name:>9}: {rate:8.1f} answers/s, export of "
                  f"{args.tasks} tasks {export:6.2f} s", flush=True)
    medians = {name: (statistics.median(r for r, _ in runs),
                      statistics.median(e for _, e in runs)) for name, runs in results.items()}
    base, enc = medians["base"], medians["encrypted"]
    print(f"median answers/s: base {base[0]:.1f}, encrypted {enc[0]:.1f} "
          f"({(base[0] / enc[0] - 1) * 100:+.1f}% slower)")
    print(f"median export s : base {base[1]:.2f}, encrypted {enc[1]:.2f} "
          f"({(enc[1] / base[1] - 1) * 100:+.1f}% slower)")


if __name__ == "__main__":
    main()
