"""The suite tests the code of its own checkout (tests/__init__.py), in this process and in
the processes it starts."""

import subprocess
import sys
from pathlib import Path

import assay

SRC = Path(__file__).resolve().parents[1] / "src"


def test_assay_comes_from_this_checkout_here_and_in_a_child() -> None:
    assert Path(assay.__file__).resolve().is_relative_to(SRC)
    child = subprocess.run([sys.executable, "-c", "import assay; print(assay.__file__)"],
                           capture_output=True, text=True, check=True, cwd="/")
    assert Path(child.stdout.strip()).resolve().is_relative_to(SRC)
