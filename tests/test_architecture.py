"""The import direction of DESIGN.md, checked on the source: pure core → db → repositories →
services → api / web / jobs → app / cli."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "assay"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return {n for n in names if n == "assay" or n.startswith("assay.")}


def _modules(folder: str) -> list[Path]:
    return sorted((SRC / folder).rglob("*.py"))


def test_algorithms_import_nothing_from_assay() -> None:
    for path in _modules("algorithms"):
        inner = {i for i in _imports(path) if not i.startswith("assay.algorithms")}
        assert inner == set(), f"{path.name} imports {inner}"


def test_kinds_import_only_algorithms() -> None:
    for path in _modules("kinds"):
        outer = {i for i in _imports(path)
                 if not i.startswith(("assay.kinds", "assay.algorithms"))}
        assert outer == set(), f"{path.name} imports {outer}"


def test_services_and_repositories_never_import_the_http_edge() -> None:
    for path in SRC.rglob("*.py"):
        if path.name not in ("service.py", "repository.py"):
            continue
        edge = {i for i in _imports(path)
                if i.endswith((".api", ".views")) or i.startswith("assay.http")
                or i in ("assay.app", "assay.cli")}
        assert edge == set(), f"{path.relative_to(SRC)} imports {edge}"


def test_db_models_import_no_feature() -> None:
    for path in _modules("db"):
        allowed = ("assay.db",)
        outer = {i for i in _imports(path) if not i.startswith(allowed)}
        assert outer == set(), f"{path.name} imports {outer}"


def test_no_module_is_over_800_lines() -> None:
    big = [p.name for p in SRC.rglob("*.py") if len(p.read_text().splitlines()) > 800]
    assert big == []
