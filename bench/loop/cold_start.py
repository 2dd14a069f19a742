"""Cold start of ``assay serve``: from exec to the first ``200`` on ``/readyz``.

``python bench/loop/cold_start.py [--runs 5]`` starts the server on a fresh SQLite file
(migrated at start) and on an existing one, alternately, and prints each run's wall time and
the server process's own CPU time (user + system, read from ``/proc`` while it still runs),
with the load average, then the medians. CPU is the figure to compare across machines: at
a high load the wall time mostly measures the queue for a core.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def process_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_once(db: Path) -> tuple[float, float]:
    """Wall and server CPU seconds until ``/readyz`` answers ``200``."""
    port = free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "assay.cli", "serve", "--db", f"sqlite:///{db}", "--port",
         str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.01)
            if server.poll() is not None:
                raise SystemExit("the server exited before it was ready")
        wall = time.monotonic() - started
        return wall, process_cpu(server.pid)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"fresh": [], "existing": []}
    with tempfile.TemporaryDirectory() as folder:
        existing = Path(folder) / "existing.db"
        start_once(existing)  # migrated once; also warms the file cache and bytecode
        for run in range(args.runs):
            fresh = Path(folder) / f"fresh-{run}.db"
            for name, db in (("fresh", fresh), ("existing", existing)):
                wall, cpu = start_once(db)
                results[name].append((wall, cpu))
                print(f"{name:8} run {run + 1}: wall {wall:.2f} s, server CPU {cpu:.2f} s "
                      f"(load {os.getloadavg()[0]:.1f})", flush=True)
    for name, runs in results.items():
        print(f"{name} SQLite, median of {len(runs)}: wall "
              f"{statistics.median(w for w, _ in runs):.2f} s, server CPU "
              f"{statistics.median(c for _, c in runs):.2f} s")


if __name__ == "__main__":
    main()
