#!/usr/bin/env bash
# Build the throwaway venv that runs the quality benchmark side by side with crowd-kit.
# crowd-kit pins its own pandas/numpy ranges, so it never goes into the project venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${ASSAY_BENCH_VENV:-$ROOT/.bench/quality-venv}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "crowd-kit==1.4.2"
# --no-deps: the benchmark needs only numpy/scipy/pandas, which crowd-kit already brought.
"$VENV/bin/python" -m pip install --quiet --no-deps -e "$ROOT"
echo "benchmark venv ready: $VENV"
