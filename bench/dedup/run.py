"""``assay dedup`` against datasketch's MinHashLSH, whole process, same data, same run.

One command: ``make bench-dedup`` (or ``python bench/dedup/run.py``). It writes a synthetic
corpus with planted near-duplicates (``corpus.py``: ~100 words per document, a quarter of
the true pairs between 0.80 and 0.83) to ``.bench/dedup/`` once, with the exact similarity
of every pair inside each planted cluster, then times each command from start to exit:

- ``assay dedup docs.jsonl --out …`` in the project's venv, as a user runs it;
- the pipeline a user would build with datasketch (same venv): read the JSONL with ``json``,
  shingle each document into its set of word 5-grams, ``MinHash.bulk`` with 128
  permutations, ``MinHashLSH(threshold, num_perm=128)``, insert every signature, query every
  signature, keep the candidate pairs whose MinHash estimate reaches the threshold. The same
  process then verifies its candidates by their exact Jaccard similarity, timed apart:
  datasketch + exact is the whole time plus that.

Recall is over every pair whose exact similarity reaches the threshold (the planted pairs,
plus any other pair some method reports and that verifies); precision is the share of a
method's reported pairs that truly reach it. Peak memory is the process's maximum resident
set. A baseline that runs past ``--budget`` seconds is stopped and reported as a rate (documents
per second through the stage it reached). Options: ``--docs N`` (default 100,000),
``--threshold`` (0.8), ``--runs`` (assay runs, median; default 3).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FOLDER = ROOT / ".bench" / "dedup"
SEED = 2024

DATASKETCH_CHILD = r"""
import json, sys, time
from datasketch import MinHash, MinHashLSH

path, out_estimate, out_exact, threshold = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
start = time.perf_counter()

def progress(stage, done):
    print(f"progress {stage} {done} {time.perf_counter() - start:.3f}", file=sys.stderr,
          flush=True)

def shingles(text):
    words = text.split()
    if len(words) < 5:
        return {" ".join(words)}
    return {" ".join(words[i:i + 5]) for i in range(len(words) - 4)}

with open(path, encoding="utf-8") as handle:
    texts = [json.loads(line)["text"] for line in handle]
sets = [[s.encode("utf-8") for s in shingles(t)] for t in texts]
signatures = []
for first in range(0, len(sets), 10_000):
    signatures += MinHash.bulk(sets[first:first + 10_000], num_perm=128)
    progress("minhash", len(signatures))
lsh = MinHashLSH(threshold=threshold, num_perm=128)
for doc, signature in enumerate(signatures):
    lsh.insert(doc, signature)
    if doc % 10_000 == 9_999:
        progress("insert", doc + 1)
candidates = set()
for doc, signature in enumerate(signatures):
    for other in lsh.query(signature):
        if other != doc:
            candidates.add((min(doc, other), max(doc, other)))
    if doc % 10_000 == 9_999:
        progress("query", doc + 1)
with open(out_estimate, "w") as handle:
    handle.write("a,b,similarity\n")
    for a, b in sorted(candidates):
        estimate = signatures[a].jaccard(signatures[b])
        if estimate >= threshold:
            handle.write(f"{a},{b},{estimate!r}\n")
progress("done", len(texts))
verify = time.perf_counter()
with open(out_exact, "w") as handle:
    handle.write("a,b,similarity\n")
    for a, b in sorted(candidates):
        first, second = set(sets[a]), set(sets[b])
        exact = len(first & second) / len(first | second)
        if exact >= threshold:
            handle.write(f"{a},{b},{exact!r}\n")
print(f"verify_s {time.perf_counter() - verify:.3f}", file=sys.stderr, flush=True)
"""


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    finished: bool
    stderr: str


# A child's ru_maxrss starts from its parent's resident set at the fork (exec keeps the
# high-water mark), and this process holds the corpus's truth. So each command is started by
# a bare interpreter (small when it forks) that writes the command's own peak to a file.
LAUNCH = """import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(137 if code == -9 else code)  # killed past its budget: as a shell reports it
"""


def run(command: list[str], budget: float | None = None) -> Run:
    """Wall time, CPU time (the command's and its launcher's, a few hundredths of a second)
    and peak RSS of one process (stopped after ``budget`` s)."""
    errors, peak = FOLDER / "stderr.txt", FOLDER / "peak.txt"
    peak.unlink(missing_ok=True)
    with errors.open("w") as err:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-S", "-c", LAUNCH, str(peak), *command],
                                 stdout=subprocess.DEVNULL, stderr=err)
        timer = threading.Timer(budget, lambda: _kill_tree(child.pid)) if budget else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if timer:
            timer.cancel()
    text = errors.read_text()
    if child.returncode not in (0, 137):
        raise SystemExit(f"{' '.join(command)} failed:\n{text}")
    peak_kb = float(peak.read_text()) if peak.exists() else float("nan")
    return Run(wall, usage.ru_utime + usage.ru_stime, peak_kb / 1024,
               child.returncode == 0, text)


def _kill_tree(launcher: int) -> None:
    """Stop the command past its budget (the launcher then exits with its status)."""
    subprocess.run(["pkill", "-KILL", "-P", str(launcher)], check=False)


def ensure_corpus(n_docs: int, threshold: float) -> tuple[Path, dict[tuple[int, int], float]]:
    sys.path.insert(0, str(HERE))
    from corpus import make_corpus, true_pairs

    docs = FOLDER / f"docs-{n_docs}-{SEED}.jsonl"
    truth_file = FOLDER / f"truth-{n_docs}-{SEED}-{threshold}.csv"
    if not (docs.exists() and truth_file.exists()):
        FOLDER.mkdir(parents=True, exist_ok=True)
        print(f"writing {docs.name} ...", flush=True)
        texts, clusters = make_corpus(n_docs, SEED)
        with docs.open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts))
        with truth_file.open("w") as handle:
            handle.write("a,b,similarity\n")
            for (a, b), s in sorted(true_pairs(texts, clusters, threshold).items()):
                handle.write(f"{a},{b},{s!r}\n")
    truth = {(int(r["a"]), int(r["b"])): float(r["similarity"])
             for r in csv.DictReader(truth_file.open())}
    return docs, truth


def read_pairs(path: Path) -> set[tuple[int, int]]:
    with path.open() as handle:
        return {(int(r["a"]), int(r["b"])) for r in csv.DictReader(handle)}


def extend_truth(truth: dict[tuple[int, int], float], reported: list[set[tuple[int, int]]],
                 docs: Path, threshold: float) -> None:
    """Add the reported pairs outside the planted clusters that truly reach the threshold."""
    from corpus import jaccard

    outside = set().union(*reported) - truth.keys()
    if outside:
        texts = [json.loads(line)["text"] for line in docs.open(encoding="utf-8")]
        for a, b in outside:
            similarity = jaccard(texts[a], texts[b])
            if similarity >= threshold:
                truth[(a, b)] = similarity


def score(found: set[tuple[int, int]], truth: dict[tuple[int, int], float]
          ) -> tuple[float, float]:
    """Recall and precision against every pair that reaches the threshold."""
    hits = len(found & truth.keys())
    return hits / len(truth), (hits / len(found) if found else 1.0)


def assay_command() -> list[str]:
    script = Path(sys.executable).with_name("assay")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assay.cli"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--budget", type=float, default=900.0,
                        help="seconds after which the datasketch run is stopped")
    args = parser.parse_args()
    docs, truth = ensure_corpus(args.docs, args.threshold)
    ours_out = FOLDER / "assay_pairs.csv"
    estimate_out, exact_out = FOLDER / "datasketch_pairs.csv", FOLDER / "datasketch_exact.csv"
    ours_command = [*assay_command(), "dedup", str(docs), "--threshold", str(args.threshold),
                    "--out", str(ours_out)]
    load = os.getloadavg()[0]

    run(ours_command)  # untimed: the file cache, compiled bytecode
    ours = []
    for i in range(args.runs):
        ours.append(run(ours_command))
        print(f"assay dedup run {i + 1}: {ours[-1].wall:.2f} s, {ours[-1].cpu:.2f} s CPU, "
              f"{ours[-1].peak_mb:.0f} MB", flush=True)
    theirs = run([sys.executable, "-c", DATASKETCH_CHILD, str(docs), str(estimate_out),
                  str(exact_out), str(args.threshold)], args.budget)
    print(f"datasketch run: {theirs.wall:.2f} s, {theirs.cpu:.2f} s CPU, {theirs.peak_mb:.0f} MB"
          f"{'' if theirs.finished else ' (stopped)'}", flush=True)

    wall = statistics.median(r.wall for r in ours)
    cpu = statistics.median(r.cpu for r in ours)
    peak = max(r.peak_mb for r in ours)
    reported = [read_pairs(ours_out)]
    if theirs.finished:
        reported += [read_pairs(estimate_out), read_pairs(exact_out)]
    extend_truth(truth, reported, docs, args.threshold)
    recall, precision = score(reported[0], truth)
    print(f"\n## assay dedup vs datasketch MinHashLSH, {args.docs:,} documents, threshold "
          f"{args.threshold} (load average before: {load:.1f})\n")
    print(f"{len(truth):,} pairs reach the threshold, "
          f"{sum(1 for s in truth.values() if s < 0.83):,} of them below 0.83.\n")
    print("| pipeline | wall s | CPU s | peak MB | recall | precision |\n"
          "|---|---|---|---|---|---|")
    print(f"| assay dedup (median of {args.runs}) | {wall:.2f} | {cpu:.2f} | {peak:.0f} | "
          f"{recall:.4f} | {precision:.4f} |")
    if not theirs.finished:
        stage, done, seconds = theirs.stderr.strip().splitlines()[-1].split()[1:]
        rate = int(done) / float(seconds)
        print(f"| datasketch (stopped at {args.budget:.0f} s in {stage}) | > {args.budget:.0f} "
              f"| {theirs.cpu:.2f} | {theirs.peak_mb:.0f} | - | - |")
        print(f"\ndatasketch: {rate:,.0f} documents/s through '{stage}'; "
              f"assay: {args.docs / wall:,.0f} documents/s for the whole job.")
        return
    verify = float(theirs.stderr.split("verify_s ")[1].split()[0])
    estimate_recall, estimate_precision = score(reported[1], truth)
    exact_recall, exact_precision = score(reported[2], truth)
    print(f"| datasketch, estimate >= threshold | {theirs.wall - verify:.2f} | - | "
          f"{theirs.peak_mb:.0f} | {estimate_recall:.4f} | {estimate_precision:.4f} |")
    print(f"| datasketch + exact verification | {theirs.wall:.2f} | {theirs.cpu:.2f} | "
          f"{theirs.peak_mb:.0f} | {exact_recall:.4f} | {exact_precision:.4f} |")
    print(f"\ndatasketch / assay: {(theirs.wall - verify) / wall:.1f}x wall "
          f"({theirs.wall / wall:.1f}x with exact verification; {theirs.cpu / cpu:.1f}x CPU), "
          f"{theirs.peak_mb / peak:.1f}x peak memory")


if __name__ == "__main__":
    main()
