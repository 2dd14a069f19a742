"""What Assay's model client adds to a call: requests per second and latency p50/p99 with
16 concurrent callers against the stand-in answering at once, through
``assay.models.client.chat`` (deadline, retries, the per-endpoint semaphore, the address
check, JSON parsing, usage) and with raw httpx posting the same body, in the same run.

The phases alternate (raw, client, raw, client) so that a change in the machine's load
hits both; each figure is over both rounds of its phase.

    .venv/bin/python bench/models/overhead.py [--calls 2000] [--callers 16] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from assay.models import client
from assay.models.standin import StandIn

MESSAGES = [{"role": "user", "content": "say something short"}]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _run(callers: int, calls: int,
         one: Callable[[], None]) -> tuple[float, list[float], float]:
    """Run ``calls`` calls over ``callers`` threads; the wall time, each call's latency
    (s), and the CPU time the calling threads spent (s): under a noisy load the CPU per
    call is the steadier measure of what the caller's side costs."""
    latencies: list[float] = []
    cpu = [0.0]
    lock = threading.Lock()
    per = calls // callers
    barrier = threading.Barrier(callers + 1)

    def worker() -> None:
        mine = []
        barrier.wait()
        cpu_start = time.thread_time()
        for _ in range(per):
            start = time.perf_counter()
            one()
            mine.append(time.perf_counter() - start)
        spent = time.thread_time() - cpu_start
        with lock:
            latencies.extend(mine)
            cpu[0] += spent

    threads = [threading.Thread(target=worker) for _ in range(callers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, cpu[0]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per round")
    parser.add_argument("--callers", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    with StandIn() as standin:
        endpoint = client.Endpoint("mdl_bench", standin.base_url, "echo",
                                   options=client.CallOptions(max_concurrency=args.callers),
                                   allowed_hosts=("127.0.0.1",))
        raw_http = httpx.Client(limits=httpx.Limits(max_connections=args.callers,
                                                    max_keepalive_connections=args.callers))
        body = json.dumps({"model": "echo", "messages": MESSAGES}).encode()
        url = standin.base_url + "/chat/completions"

        def raw() -> None:
            response = raw_http.post(url, content=body,
                                     headers={"Content-Type": "application/json"})
            response.raise_for_status()
            response.json()["choices"][0]["message"]["content"]

        def through_client() -> None:
            client.chat(endpoint, MESSAGES)

        _run(args.callers, args.callers * 20, raw)  # warm both pools
        _run(args.callers, args.callers * 20, through_client)
        figures: dict[str, dict[str, Any]] = {}
        samples: dict[str, tuple[float, list[float], float]] = {"raw": (0.0, [], 0.0),
                                                                "client": (0.0, [], 0.0)}
        for _round in range(2):
            for name, one in (("raw", raw), ("client", through_client)):
                wall, latencies, cpu = _run(args.callers, args.calls, one)
                total_wall, total_lat, total_cpu = samples[name]
                samples[name] = (total_wall + wall, total_lat + latencies, total_cpu + cpu)
        raw_http.close()
        assert standin.max_in_flight <= args.callers
    for name, (wall, latencies, cpu) in samples.items():
        n = len(latencies)
        figures[name] = {"calls": n, "requests_per_s": round(n / wall, 1),
                         "caller_cpu_us_per_call": round(cpu / n * 1e6, 1),
                         "p50_ms": round(_percentile(latencies, 50) * 1000, 3),
                         "p99_ms": round(_percentile(latencies, 99) * 1000, 3),
                         "mean_ms": round(statistics.fmean(latencies) * 1000, 3)}
    raw_f, cli_f = figures["raw"], figures["client"]
    result = {
        "callers": args.callers, **figures,
        "throughput_ratio": round(cli_f["requests_per_s"] / raw_f["requests_per_s"], 3),
        "added_p50_ms": round(cli_f["p50_ms"] - raw_f["p50_ms"], 3),
        "added_p99_ms": round(cli_f["p99_ms"] - raw_f["p99_ms"], 3),
        "added_cpu_us_per_call": round(cli_f["caller_cpu_us_per_call"]
                                       - raw_f["caller_cpu_us_per_call"], 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for name in ("raw", "client"):
            f = figures[name]
            print(f"{name:>6}: {f['calls']} calls, {f['requests_per_s']} req/s, "
                  f"p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms, "
                  f"caller CPU {f['caller_cpu_us_per_call']} us/call")
        print(f"client/raw throughput {result['throughput_ratio']}, added p50 "
              f"{result['added_p50_ms']} ms, added p99 {result['added_p99_ms']} ms, "
              f"added caller CPU {result['added_cpu_us_per_call']} us/call "
              f"({args.callers} callers)")
    return result


if __name__ == "__main__":
    main()
