"""The architecture of docs/architecture.md, checked on the source with ``ast``.

- Feature packages form a DAG in a declared order: a feature imports only features below it
  (a higher one learns what happened below through events, ``assay.events``).
- A service never imports another feature's repository; services and repositories never
  import the HTTP edge.
- ``algorithms`` imports nothing from Assay, ``kinds`` only ``algorithms``, infrastructure
  (``db``, ``jobs``, ``callbacks``, ``events`` …) no feature.

Every import counts, also one inside a function; only imports under ``if TYPE_CHECKING:``
do not. A module's role comes from what it holds as well as its name: a module that builds
an ``APIRouter`` is an api, one that renders templates is a view, whatever it is called.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "assay"

# Lower first. Each may import the ones before it, never one after it.
FEATURES = ("accounts", "projects", "tasks", "batches", "integrity", "ledger", "quality",
            "review", "work", "exports")
# Below every feature: they import no feature.
INFRASTRUCTURE = ("algorithms", "kinds", "db", "jobs", "callbacks", "events", "money",
                  "clock", "ids", "errors", "settings")
EDGE_MODULES = ("assay.http", "assay.app", "assay.cli", "assay.web", "assay.server")


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. assay.quality.service
    path: Path
    tree: ast.Module

    @property
    def package(self) -> str:
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else ""

    @property
    def role(self) -> str:
        stem = self.path.stem
        source = ast.unparse(self.tree)
        if "APIRouter(" in source or stem == "api" or stem.endswith("_api"):
            return "api"
        if "TemplateResponse(" in source or stem == "views" or stem.endswith("_views"):
            return "views"
        if stem in ("repository", "schemas", "jobs", "events", "subscribers", "__init__"):
            return stem
        return "service"


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def load_modules() -> list[Module]:
    return [Module(_module_name(p), p, ast.parse(p.read_text()))
            for p in sorted(SRC.rglob("*.py")) if "migrations" not in p.parts]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, skipping the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            yield from (n for branch in child.orelse for n in [branch, *_nodes(branch)])
            continue
        yield child
        yield from _nodes(child)


def imports_of(module: Module, known: set[str]) -> set[str]:
    """The Assay modules ``module`` imports (``from a import b`` names ``a.b`` when that is
    a module), wherever the import statement sits."""
    found: set[str] = set()
    for node in _nodes(module.tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.name.split(".")
                if module.path.name != "__init__.py":
                    anchor = anchor[:-1]
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in known else base)
    return {n for n in found if n == "assay" or n.startswith("assay.")}


def feature_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FEATURES else None


def feature_graph(modules: Iterable[Module]) -> dict[str, dict[str, list[str]]]:
    """feature → feature it imports → the importing modules (for the failure message)."""
    modules = list(modules)
    known = {m.name for m in modules}
    graph: dict[str, dict[str, list[str]]] = {f: {} for f in FEATURES}
    for module in modules:
        source = feature_of(module.name)
        if source is None:
            continue
        for target in imports_of(module, known):
            other = feature_of(target)
            if other is not None and other != source:
                graph[source].setdefault(other, []).append(f"{module.name} -> {target}")
    return graph


def find_cycle(graph: dict[str, Iterable[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that starts and ends at the same node, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


MODULES = load_modules()
KNOWN = {m.name for m in MODULES}


def test_the_cycle_finder_finds_cycles_and_accepts_dags() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    assert find_cycle({"ledger": ["projects"], "projects": ["ledger"]}) == [
        "ledger", "projects", "ledger"]
    cycle = find_cycle({"a": ["b"], "b": ["c"], "c": ["d", "a"], "d": []})
    assert cycle == ["a", "b", "c", "a"]


def test_a_lazy_import_inside_a_function_counts_and_type_checking_does_not() -> None:
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from assay.ledger import service\n"
              "def f():\n    from assay.quality import service as q\n    return q\n")
    module = Module("assay.projects.fake", SRC / "projects" / "fake.py", ast.parse(source))
    assert imports_of(module, KNOWN) == {"assay.quality.service"}
    graph = feature_graph([*MODULES, module])
    assert "quality" in graph["projects"]
    assert find_cycle({f: list(t) for f, t in graph.items()}) is not None


def test_feature_packages_form_a_dag() -> None:
    graph = feature_graph(MODULES)
    cycle = find_cycle({f: list(t) for f, t in graph.items()})
    assert cycle is None, f"import cycle between features: {' -> '.join(cycle or [])}"


def test_features_import_only_features_below_them() -> None:
    rank = {f: i for i, f in enumerate(FEATURES)}
    upward = [edge for source, targets in feature_graph(MODULES).items()
              for target, edges in targets.items() if rank[target] > rank[source]
              for edge in edges]
    assert upward == [], "a feature imports one above it (publish an event instead):\n" + \
        "\n".join(upward)


def test_every_feature_package_is_placed_in_the_order() -> None:
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    edge = {m.split(".")[1] for m in EDGE_MODULES}
    unplaced = packages - set(FEATURES) - set(INFRASTRUCTURE) - edge - {"demo"}
    assert unplaced == set(), f"packages missing from FEATURES or INFRASTRUCTURE: {unplaced}"


def test_no_service_imports_another_features_repository() -> None:
    bad = []
    for module in MODULES:
        own = feature_of(module.name)
        if own is None or module.role not in ("service", "subscribers", "jobs"):
            continue
        for target in imports_of(module, KNOWN):
            other = feature_of(target)
            if other not in (None, own) and target.endswith(".repository"):
                bad.append(f"{module.name} ({module.role}) -> {target}")
    assert bad == []


def test_roles_are_seen_by_what_a_module_holds() -> None:
    source = "from fastapi import APIRouter\nrouter = APIRouter()\n"
    module = Module("assay.quality.odd_name", SRC / "quality" / "odd_name.py", ast.parse(source))
    assert module.role == "api"
    roles = {m.name: m.role for m in MODULES}
    assert roles["assay.quality.standing_api"] == "api"
    assert roles["assay.quality.refit"] == "service"
    assert roles["assay.work.repository"] == "repository"


def test_algorithms_import_nothing_from_assay() -> None:
    for module in MODULES:
        if module.package != "algorithms":
            continue
        inner = {i for i in imports_of(module, KNOWN) if not i.startswith("assay.algorithms")}
        assert inner == set(), f"{module.name} imports {inner}"


def test_kinds_import_only_algorithms() -> None:
    for module in MODULES:
        if module.package != "kinds":
            continue
        outer = {i for i in imports_of(module, KNOWN)
                 if not i.startswith(("assay.kinds", "assay.algorithms"))}
        assert outer == set(), f"{module.name} imports {outer}"


def test_infrastructure_imports_no_feature() -> None:
    bad = []
    for module in MODULES:
        if module.package not in INFRASTRUCTURE:
            continue
        bad += [f"{module.name} -> {t}" for t in imports_of(module, KNOWN)
                if feature_of(t) is not None or t.startswith(EDGE_MODULES)]
    assert bad == []


def test_services_and_repositories_never_import_the_http_edge() -> None:
    bad = []
    for module in MODULES:
        if module.role not in ("service", "repository") or module.package not in FEATURES:
            continue
        bad += [f"{module.name} -> {t}" for t in imports_of(module, KNOWN)
                if t.endswith((".api", ".views")) or t.startswith(EDGE_MODULES)]
    assert bad == []


def test_db_models_import_no_feature() -> None:
    for module in MODULES:
        if module.package != "db":
            continue
        outer = {i for i in imports_of(module, KNOWN) if not i.startswith("assay.db")}
        assert outer == set(), f"{module.name} imports {outer}"


def test_no_module_is_over_800_lines() -> None:
    big = [m.name for m in MODULES if len(m.path.read_text().splitlines()) > 800]
    assert big == []
