#!/usr/bin/env bash
# Build the throwaway venv that runs Label Studio for the labeling-loop benchmark.
# Label Studio pins its own Django/DRF stack, so it never goes into the project venv; the
# benchmark talks to it over HTTP only (bench/loop/labelstudio_target.py).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${ASSAY_BENCH_LS_VENV:-$ROOT/.bench/ls-venv}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet "label-studio==1.23.2"
"$VENV/bin/python" -c 'import importlib.metadata as m; print("label-studio", m.version("label-studio"))'
echo "Label Studio venv ready: $VENV (set ASSAY_BENCH_LABEL_STUDIO=$VENV/bin/label-studio if moved)"
