#!/usr/bin/env bash
# Build the throwaway venv that runs the leaderboard baselines (pandas with pyarrow and
# scikit-learn, as FastChat's notebook uses them, and choix); none goes into the project venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${ASSAY_BENCH_VENV:-$ROOT/.bench/leaderboard-venv}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "pandas>=2.0" "pyarrow>=15" "scikit-learn>=1.5" "choix>=0.4"
echo "benchmark venv ready: $VENV"
