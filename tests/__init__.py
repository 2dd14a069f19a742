"""The test suite. It runs against the checkout it lives in: this checkout's ``src`` goes
first on the path, for this process and (through ``PYTHONPATH``) the servers and commands
it starts, even where the virtualenv's editable install points at another checkout (several
worktrees sharing one virtualenv)."""

import os
import sys
from pathlib import Path

_SRC = str(Path(__file__).resolve().parents[1] / "src")
if sys.path[:1] != [_SRC]:
    sys.path.insert(0, _SRC)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [_SRC, *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != _SRC]])
