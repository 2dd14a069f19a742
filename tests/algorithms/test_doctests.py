"""The docstring examples run, so they cannot drift from the code."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import assay.algorithms

# simple.py belongs to another part of the tree and is tested with it.
MODULES = [
    info.name for info in pkgutil.iter_modules(assay.algorithms.__path__) if info.name != "simple"
]


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_in_the_docstrings_hold(name: str) -> None:
    if name == "crowdkit_compat":
        pytest.importorskip("pandas")
    module = importlib.import_module(f"assay.algorithms.{name}")
    outcome = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert outcome.failed == 0
