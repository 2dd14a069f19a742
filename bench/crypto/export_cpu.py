"""Server CPU of a full export, this tree against another (e.g. the one before encryption).

    git worktree add /tmp/wt-base <commit before encryption>
    python bench/crypto/export_cpu.py --base /tmp/wt-base [--rounds 4] [--tasks 10000]

Each run starts ``assay serve`` of one tree (its ``src`` first on ``PYTHONPATH``, its own
``bench/loop/assay_target.py``) on a fresh SQLite file, adds ``--tasks`` tasks and answers
``--answered`` of them, then exports the project ``--exports`` times and reads the server
process's user+system CPU around each export (psutil). The trees alternate, the order
flipping every round, so a machine that gets busier hurts both alike. Printed: each run's
median CPU seconds per export, then the medians over the runs and their ratio. CPU rather
than wall time, because this machine's other work slows the wall clock of both unevenly.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]

# One run, executed by the tree's own Python path: prints one JSON line.
ONE_RUN = r"""
import json, socket, statistics, sys, tempfile
from pathlib import Path
import psutil
tree, tasks, answered, exports = Path(sys.argv[1]), *map(int, sys.argv[2:5])
sys.path.insert(0, str(tree / "bench" / "loop"))
from assay_target import AssayTarget
with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
target = AssayTarget(Path(tempfile.mkdtemp(prefix="assay-export-cpu-")), port)
target.start()
try:
    target.setup(tasks, 1, 1, ["pos", "neg", "neu"])
    config = target.worker_config(0)
    with target.make_session(config) as session:
        for _ in range(answered):
            target.worker_submit(session, config, target.worker_next(session, config), "pos")
    server = psutil.Process(target.proc.pid)
    cpu = []
    for _ in range(exports):
        before = sum(server.cpu_times()[:2])
        _, count = target.export_all()
        assert count == tasks, (count, tasks)
        cpu.append(sum(server.cpu_times()[:2]) - before)
    print(json.dumps({"median": statistics.median(cpu), "all": cpu}))
finally:
    target.stop()
"""


def run(tree: Path, args: argparse.Namespace) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    out = subprocess.run(
        [sys.executable, "-c", ONE_RUN, str(tree), str(args.tasks), str(args.answered),
         str(args.exports)], capture_output=True, text=True, env=env, check=True,
        timeout=1800).stdout
    median: float = json.loads(out.strip().splitlines()[-1])["median"]
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="the tree to compare with")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--answered", type=int, default=1_000)
    parser.add_argument("--exports", type=int, default=7)
    args = parser.parse_args()
    trees = {"base": args.base.resolve(), "this": HERE}
    results: dict[str, list[float]] = {name: [] for name in trees}
    for i in range(args.rounds):
        for name in (list(trees) if i % 2 == 0 else list(reversed(trees))):
            results[name].append(run(trees[name], args))
            print(f"round {i + 1} {name:>4}: {results[name][-1]:.3f} s server CPU per export "
                  f"of {args.tasks} tasks (median of {args.exports})", flush=True)
    base, this = (statistics.median(results[name]) for name in trees)
    print(f"median: base {base:.3f} s, this tree {this:.3f} s ({(this / base - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
