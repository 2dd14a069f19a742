"""The labeling-loop benchmark: the same workload against Assay and Label Studio, same run.

    python bench/loop/run.py                  # 60,000 tasks, overlap 3, 8 then 32 workers
    python bench/loop/run.py --tasks 5000 --duration 20 --skip-labelstudio   # a quick look

Each round runs simulated workers in separate processes over HTTP for ``--duration``
seconds (time-boxed: a slow system is reported as a rate), each looping next → submit.
Printed: answers/s, next and submit latency p50/p95/p99, overlap violations, export time
for all tasks, cold start, server memory, and Assay's ratio to Label Studio.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assay_target import AssayTarget

LABELS = ["pos", "neg", "neu"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def worker_loop(target_cls: Any, config: dict[str, Any], ready: Any, go: Any,
                deadline: Any, out: Any) -> None:
    rng = random.Random(config.get("token", "x"))
    nexts: list[float] = []
    submits: list[float] = []
    errors = 0
    with target_cls.make_session(config) as session:
        ready.put(1)
        go.wait()
        while time.time() < deadline.value:
            t0 = time.perf_counter()
            try:
                handle = target_cls.worker_next(session, config)
            except Exception:
                errors += 1
                time.sleep(0.1)
                continue
            nexts.append(time.perf_counter() - t0)
            if handle is None:
                break
            t0 = time.perf_counter()
            try:
                target_cls.worker_submit(session, config, handle, rng.choice(LABELS))
            except Exception:
                errors += 1
                continue
            submits.append(time.perf_counter() - t0)
    out.put((nexts, submits, errors))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def run_round(target: Any, n_workers: int, duration: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    out, ready, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    deadline = ctx.Value("d", 0.0)
    procs = [ctx.Process(target=worker_loop,
                         args=(type(target), target.worker_config(i), ready, go, deadline,
                               out))
             for i in range(n_workers)]
    for p in procs:
        p.start()
    for _ in procs:  # every worker process is up before the clock starts
        ready.get()
    started = time.time()
    deadline.value = started + duration
    go.set()
    results = [out.get() for _ in procs]
    elapsed = time.time() - started
    for p in procs:
        p.join()
    nexts = [v for r in results for v in r[0]]
    submits = [v for r in results for v in r[1]]
    return {"answers": len(submits), "seconds": elapsed,
            "rate": len(submits) / elapsed if elapsed else 0.0,
            "next_p50": pct(nexts, 0.5), "next_p95": pct(nexts, 0.95),
            "next_p99": pct(nexts, 0.99), "submit_p50": pct(submits, 0.5),
            "submit_p95": pct(submits, 0.95), "submit_p99": pct(submits, 0.99),
            "errors": sum(r[2] for r in results)}


def bench_target(target: Any, args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"name": target.name}
    print(f"\n== {target.name}", flush=True)
    report["cold_start_s"] = target.start()
    print(f"  cold start            {report['cold_start_s']:.2f} s", flush=True)
    t0 = time.monotonic()
    target.setup(args.tasks, args.overlap, max(args.workers), LABELS)
    report["setup_s"] = time.monotonic() - t0
    print(f"  setup ({args.tasks} tasks)   {report['setup_s']:.1f} s", flush=True)
    for n in args.workers:
        r = run_round(target, n, args.duration)
        report[f"w{n}"] = r
        print(f"  {n:>2} workers: {r['answers']} answers in {r['seconds']:.1f} s = "
              f"{r['rate']:.1f}/s; next p50/p95/p99 {r['next_p50']:.0f}/{r['next_p95']:.0f}/"
              f"{r['next_p99']:.0f} ms; submit p50/p95/p99 {r['submit_p50']:.0f}/"
              f"{r['submit_p95']:.0f}/{r['submit_p99']:.0f} ms; errors {r['errors']}",
              flush=True)
    report["memory_mb"] = target.memory_mb()
    report["violations"] = target.overlap_violations()
    print(f"  overlap violations    {report['violations'][0]} of {report['violations'][1]} "
          "tasks answered", flush=True)
    report["export_s"], report["exported"] = target.export_all()
    print(f"  export                {report['exported']} tasks in {report['export_s']:.1f} s",
          flush=True)
    print(f"  server memory         {report['memory_mb']:.0f} MiB", flush=True)
    target.stop()
    return report


def ratios(ours: dict[str, Any], theirs: dict[str, Any], workers: list[int]) -> None:
    print(f"\n== Assay vs {theirs['name']} (higher is better for Assay)")
    for n in workers:
        a, b = ours[f"w{n}"], theirs[f"w{n}"]
        rate = a["rate"] / b["rate"] if b["rate"] else float("inf")
        print(f"  throughput, {n:>2} workers   {a['rate']:.1f} vs {b['rate']:.2f} answers/s "
              f"= {rate:.0f}x")
        print(f"  next p50, {n:>2} workers     {a['next_p50']:.1f} vs {b['next_p50']:.0f} ms "
              f"= {b['next_p50'] / a['next_p50']:.0f}x")
    print(f"  export                   {ours['export_s']:.1f} vs {theirs['export_s']:.1f} s "
          f"= {theirs['export_s'] / ours['export_s']:.0f}x "
          f"({ours['exported']} vs {theirs['exported']} tasks)")
    print(f"  cold start               {ours['cold_start_s']:.2f} vs "
          f"{theirs['cold_start_s']:.1f} s = {theirs['cold_start_s'] / ours['cold_start_s']:.0f}x")
    print(f"  overlap violations       {ours['violations'][0]} vs {theirs['violations'][0]}")
    print(f"  server memory            {ours['memory_mb']:.0f} vs {theirs['memory_mb']:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=60_000)
    parser.add_argument("--overlap", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds of labeling per round (time-boxed)")
    parser.add_argument("--skip-labelstudio", action="store_true")
    parser.add_argument("--db", help="Assay database URL (default: a fresh SQLite file)")
    parser.add_argument("--assay-workers", type=int, default=1,
                        help="Assay server processes (assay serve --workers)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="assay-bench-"))
    try:
        (workdir / "assay").mkdir()
        assay = AssayTarget(workdir / "assay", free_port(), args.db, args.assay_workers)
        if args.assay_workers > 1:
            assay.name = f"Assay ({args.assay_workers} processes)"
        ours = bench_target(assay, args)
        if args.skip_labelstudio:
            return
        from labelstudio_target import LabelStudioTarget

        (workdir / "ls").mkdir()
        theirs = bench_target(LabelStudioTarget(workdir / "ls", free_port()), args)
        ratios(ours, theirs, args.workers)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
