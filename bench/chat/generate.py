"""What Assay adds to a model reply: ``POST /v1/work/{id}/generate`` through a real
``assay serve`` (SQLite) against the stand-in answering at once, beside the same streamed
request posted straight to the stand-in, with 16 concurrent workers.

Each worker loops next → generate (timed) → submit, one candidate per turn, so every
generate claims its turn, calls the model streaming, stores the reply and records the
assignment's turn: two short writes and a read around the call. The raw phase posts the
body Assay sends (``stream: true``) and reads the whole event stream. Phases alternate
(raw, generate, raw, generate) so that a change in the machine's load hits both. The load
average is printed with the figures.

    .venv/bin/python bench/chat/generate.py [--calls 800] [--workers 16] [--json] [--db URL]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from assay import wiring
from assay.accounts import service as accounts
from assay.client import WorkerClient
from assay.db.engine import Database
from assay.db.migrate import upgrade
from assay.models.standin import StandIn


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(workers: int, per_worker: int,
         one: Callable[[int], float]) -> tuple[float, list[float]]:
    """``per_worker`` calls on each of ``workers`` threads; wall time and latencies (s)."""
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(workers + 1)

    def loop(i: int) -> None:
        mine: list[float] = []
        barrier.wait()
        for _ in range(per_worker):
            mine.append(one(i))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies


def _figures(wall: float, latencies: list[float]) -> dict[str, Any]:
    return {"calls": len(latencies), "requests_per_s": round(len(latencies) / wall, 1),
            "p50_ms": round(_percentile(latencies, 50) * 1000, 2),
            "p95_ms": round(_percentile(latencies, 95) * 1000, 2),
            "p99_ms": round(_percentile(latencies, 99) * 1000, 2),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 2)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=800, help="calls per phase and round")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--db", help="an empty database's URL (e.g. postgresql://postgres@"
                        "127.0.0.1/bench_generate); default: a fresh SQLite file")
    args = parser.parse_args(argv)
    per_worker = max(1, args.calls // args.workers)
    wiring.install()
    with tempfile.TemporaryDirectory() as tmp, StandIn() as standin:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        db = Database(url)
        org = db.write(lambda s: accounts.create_org(s, "Bench"))
        tokens = [db.write(lambda s, i=i: accounts.create_worker(
            s, f"w{i}@bench.example", org.org_id))[1] for i in range(args.workers)]
        db.dispose()
        port = _free_port()
        env = {**os.environ, "ASSAY_ALLOWED_MODEL_HOSTS": "127.0.0.1", "ASSAY_RUN_JOBS": "0"}
        server = subprocess.Popen([sys.executable, "-m", "assay.cli", "serve", "--db", url,
                                   "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(base + "/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            result = _bench(base, org.api_key, tokens, standin, args, per_worker)
        finally:
            server.terminate()
            server.wait(20)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(result))
    else:
        for name in ("raw", "generate"):
            f = result[name]
            print(f"{name:>8}: {f['calls']} calls, {f['requests_per_s']} req/s, "
                  f"p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, p99 {f['p99_ms']} ms")
        print(f"added by Assay: p50 {result['added_p50_ms']} ms, p95 "
              f"{result['added_p95_ms']} ms ({args.workers} workers; load average "
              f"{result['load_average']})")
    return result


def _bench(base: str, api_key: str, tokens: list[str], standin: StandIn,
           args: argparse.Namespace, per_worker: int) -> dict[str, Any]:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {api_key}"},
                      timeout=60) as http:
        model = http.post("/v1/models", json={
            "name": "bench", "base_url": standin.base_url, "model": "echo",
            "params": {"max_concurrency": args.workers}}).json()["id"]
        project = http.post("/v1/projects", json={
            "name": "bench", "kind": "chat", "params": {"models": [model], "candidates": 1},
            "quality": {"overlap": 1}}).json()["id"]
        total = per_worker * args.workers * 2 + args.workers * 2
        for start in range(0, total, 5000):
            tasks = [{"data": {"messages": [{"role": "user", "content": f"say {i}"}]}}
                     for i in range(start, min(total, start + 5000))]
            http.post("/v1/tasks/bulk", json={"project": project, "tasks": tasks})
    clients = [WorkerClient(base, t, timeout=60) for t in tokens]
    raw_http = httpx.Client(timeout=60, limits=httpx.Limits(
        max_connections=args.workers, max_keepalive_connections=args.workers))
    body = json.dumps({"model": "echo", "stream": True,
                       "stream_options": {"include_usage": True},
                       "messages": [{"role": "user", "content": "say 1"}]}).encode()

    def raw(_: int) -> float:
        started = time.perf_counter()
        with raw_http.stream("POST", standin.base_url + "/chat/completions", content=body,
                             headers={"Content-Type": "application/json"}) as response:
            for _line in response.iter_lines():
                pass
        return time.perf_counter() - started

    def generate(i: int) -> float:
        worker = clients[i]
        offer = worker.next(project)
        assert offer is not None, "the bench ran out of tasks"
        started = time.perf_counter()
        turn = worker.generate(offer["assignment_id"])
        spent = time.perf_counter() - started
        ids = [c["id"] for c in turn["candidates"]]
        worker.submit(offer["assignment_id"], {"turns": [{"candidates": ids,
                                                          "ranking": [ids]}]})
        return spent

    _run(args.workers, 1, raw)  # warm both paths
    _run(args.workers, 1, generate)
    samples: dict[str, tuple[float, list[float]]] = {"raw": (0.0, []), "generate": (0.0, [])}
    for _round in range(2):
        for name, one in (("raw", raw), ("generate", generate)):
            wall, latencies = _run(args.workers, per_worker // 2 or 1, one)
            samples[name] = (samples[name][0] + wall, samples[name][1] + latencies)
    raw_http.close()
    for worker in clients:
        worker.close()
    figures = {name: _figures(*sample) for name, sample in samples.items()}
    return {"workers": args.workers, **figures,
            "added_p50_ms": round(figures["generate"]["p50_ms"] - figures["raw"]["p50_ms"], 2),
            "added_p95_ms": round(figures["generate"]["p95_ms"] - figures["raw"]["p95_ms"], 2)}


if __name__ == "__main__":
    main()
