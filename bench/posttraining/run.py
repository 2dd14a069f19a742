"""DPO export: Assay's post-training compiler against the loop a user would write.

Input (written once, seeded): a chat project's export as a user gets it — one task object
per line with its responses (`format=jsonl&include=responses`) — each line also holding its
candidates' texts and prompts (`"sources"`, what the server reads per chunk of tasks from
its conversations). Each task has 4 candidates ranked strictly by one worker, so it gives
6 DPO pairs; `--rows 100000` makes 16,667 tasks.

- `assay`: the export's own path — task objects read one at a time, judged turns, DPO
  rows (`assay.exports.posttraining`), written as JSON lines (`jsonl_lines`) and as
  Parquet in row groups (`parquet_blocks`): two passes, as two export requests would be.
- `baseline`: what a user writes: every task object into a list, a Python loop over the
  rankings building every (chosen, rejected) pair, a pandas DataFrame, `to_json(lines=True)`
  and `to_parquet`.

Each side runs in its own process (peak RSS is that process's own high-water mark), the
two in the same run, and the ratios are printed with the load average. Memory stays flat
for `assay` if its peak barely moves from `--rows 10000` to `--rows 100000`: run both.

    PYTHONPATH=src python bench/posttraining/run.py --rows 100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CANDIDATES = 4
SENTENCE = ("the model should answer briefly and cite the source when it is not sure of "
            "a fact so that people can check it later and fix what is wrong")
WORDS = SENTENCE.split()


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def write_input(folder: Path, rows: int, seed: int = 7) -> Path:
    """The export file for ``rows`` DPO pairs."""
    rng = random.Random(seed)
    pairs_per_task = CANDIDATES * (CANDIDATES - 1) // 2
    n_tasks = -(-rows // pairs_per_task)
    tasks_path = folder / "tasks.jsonl"
    with tasks_path.open("w") as out:
        for t in range(n_tasks):
            messages = [{"role": "system", "content": "Be helpful."},
                        {"role": "user", "content": _text(rng, 20)}]
            ids = [f"cnd_{t}_{c}" for c in range(CANDIDATES)]
            sources = {}
            for cid in ids:
                sources[cid] = {"content": _text(rng, 40), "messages": messages}
            order = ids[:]
            rng.shuffle(order)
            answer = {"turns": [{"candidates": sorted(ids), "ranking": [[c] for c in order]}]}
            task = {"id": f"tsk_{t}", "status": "completed", "data": {"messages": messages},
                    "result": None, "sources": sources,
                    "responses": [{"worker_id": "wrk_1", "answer": answer}]}
            out.write(json.dumps(task) + "\n")
    return tasks_path


def _sources_of(batch: list[dict[str, Any]]) -> dict[str, Any]:
    return {cid: source for task in batch for cid, source in task["sources"].items()}


def run_assay(tasks_path: Path, out: Path,
              laps: dict[str, float]) -> int:
    from assay.exports.formats import parquet_schemas
    from assay.exports.parquet import parquet_blocks
    from assay.exports.posttraining import compile_rows, judged_turns
    from assay.exports.service import jsonl_lines

    def rows() -> Any:
        with tasks_path.open() as lines:
            tasks = (json.loads(line) for line in lines)
            yield from compile_rows("dpo", judged_turns("chat", {"rubric": []}, tasks,
                                                        _sources_of))

    n, started = 0, time.perf_counter()
    with (out / "assay.jsonl").open("wb") as f:
        for block in jsonl_lines(rows()):
            n += block.count(b"\n")
            f.write(block)
    laps["jsonl_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    with (out / "assay.parquet").open("wb") as f:
        for block in parquet_blocks(rows(), parquet_schemas()["dpo"]):
            f.write(block)
    laps["parquet_s"] = round(time.perf_counter() - started, 2)
    return n


def run_baseline(tasks_path: Path, out: Path,
                 laps: dict[str, float]) -> int:
    import pandas as pd

    started = time.perf_counter()
    with tasks_path.open() as lines:
        tasks = [json.loads(line) for line in lines]
    sources = _sources_of(tasks)
    pairs = []
    for task in tasks:
        for response in task["responses"]:
            for turn in response["answer"]["turns"]:
                prompt = sources[turn["candidates"][0]]["messages"]
                groups = turn["ranking"]
                for i, better in enumerate(groups):
                    for worse in groups[i + 1:]:
                        for a in better:
                            for b in worse:
                                pairs.append({
                                    "prompt": prompt,
                                    "chosen": [{"role": "assistant",
                                                "content": sources[a]["content"]}],
                                    "rejected": [{"role": "assistant",
                                                  "content": sources[b]["content"]}]})
    frame = pd.DataFrame(pairs)
    laps["pairs_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    frame.to_json(out / "baseline.jsonl", orient="records", lines=True, force_ascii=False)
    laps["jsonl_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    frame.to_parquet(out / "baseline.parquet")
    laps["parquet_s"] = round(time.perf_counter() - started, 2)
    return len(frame)


def one(side: str, tasks_path: Path, out: Path) -> None:
    laps: dict[str, float] = {}
    # Imports are not what is measured: both sides load theirs first.
    if side == "assay":
        import assay.exports.service  # noqa: F401
    else:
        import pandas  # noqa: F401
    base_mb = _rss_now_mb()
    started = time.perf_counter()
    n = (run_assay if side == "assay" else run_baseline)(tasks_path, out, laps)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"side": side, "rows": n, "seconds": round(seconds, 2), **laps,
                      "rss_after_imports_mb": round(base_mb, 1),
                      "peak_rss_mb": round(peak_mb, 1),
                      "peak_over_imports_mb": round(peak_mb - base_mb, 1)}))


def _rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--one", choices=["assay", "baseline"])
    parser.add_argument("--input", type=Path)
    args = parser.parse_args()
    if args.one:
        one(args.one, args.input / "tasks.jsonl", args.input)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        write_input(folder, args.rows)
        print(f"input: {args.rows:,} pairs' worth of tasks written in "
              f"{time.perf_counter() - started:.1f} s; load {os.getloadavg()}")
        results = {}
        for side in ("assay", "baseline"):
            done = subprocess.run([sys.executable, __file__, "--one", side, "--input",
                                   str(folder)], check=True, capture_output=True, text=True)
            results[side] = json.loads(done.stdout.strip().splitlines()[-1])
            print(results[side])
        a, b = results["assay"], results["baseline"]
        print(f"rows assay {a['rows']:,} baseline {b['rows']:,}; time assay/baseline "
              f"{a['seconds'] / b['seconds']:.2f}, peak RSS assay/baseline "
              f"{a['peak_rss_mb'] / b['peak_rss_mb']:.2f}, peak over imports "
              f"{a['peak_over_imports_mb'] / b['peak_over_imports_mb']:.2f}; "
              f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
