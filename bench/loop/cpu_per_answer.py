"""Server CPU per answer: the figure that scales with cores.

    python bench/loop/cpu_per_answer.py                    # SQLite, 1,500 answers
    python bench/loop/cpu_per_answer.py --answers 3000 --db postgresql://postgres@127.0.0.1/x

Starts ``assay serve`` (one process) on a fresh database, seeds a categorize project at
overlap 1, warms up with 50 answers, then one client loops next → submit and the server
process's user+system CPU time is read before and after (psutil). Printed: server CPU
milliseconds per answer (next + submit) and the client's wall time per answer. One client
keeps the figure free of lock waits; divide a core's 1,000 ms by it for the answers/s one
API process can sustain when the CPU is the limit (docs/deploy.md).
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assay_target import AssayTarget


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1500)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file); a "
                                     "PostgreSQL database must be empty and migrated")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="assay-cpu-"))
    target = AssayTarget(workdir, free_port(), db_url=args.db)
    target.start()
    try:
        target.setup(args.answers + 50, 1, 1, ["pos", "neg", "neu"])
        config = target.worker_config(0)
        assert target.proc is not None
        server = psutil.Process(target.proc.pid)
        with target.make_session(config) as session:
            for _ in range(50):
                target.worker_submit(session, config, target.worker_next(session, config),
                                     "pos")
            cpu0, wall0 = sum(server.cpu_times()[:2]), time.perf_counter()
            for _ in range(args.answers):
                target.worker_submit(session, config, target.worker_next(session, config),
                                     "pos")
            cpu1, wall1 = sum(server.cpu_times()[:2]), time.perf_counter()
        per_answer = 1000 * (cpu1 - cpu0) / args.answers
        print(f"server CPU {per_answer:.2f} ms/answer (next + submit), client wall "
              f"{1000 * (wall1 - wall0) / args.answers:.2f} ms/answer over {args.answers} "
              f"answers; one core at this rate: {1000 / per_answer:.0f} answers/s")
    finally:
        target.stop()


if __name__ == "__main__":
    main()
