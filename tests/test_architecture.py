"""The architecture of docs/architecture.md, checked on the source with ``ast``.

- Feature packages form a DAG in a declared order: a feature imports only features below it
  (a higher one learns what happened below through events, ``assay.events``).
- A service never imports another feature's repository; services and repositories never
  import the HTTP edge.
- ``algorithms`` imports nothing from Assay, ``kinds`` only ``algorithms``, infrastructure
  (``db``, ``jobs``, ``callbacks``, ``events`` …) no feature.
- Queries live in repositories: no other module of a feature package, and no module of the
  web edge, writes SQL (:func:`sql_in`); every public repository function that touches
  organization data takes the organization (or the worker) and filters by it
  (:func:`unscoped_functions`).

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
FEATURES = ("auditlog", "accounts", "models", "projects", "tasks", "batches", "integrity",
            "ledger", "quality", "review", "conversations", "work", "exports", "curation",
            "synthetic", "evaluations")
# Below every feature: they import no feature.
INFRASTRUCTURE = ("algorithms", "kinds", "db", "jobs", "callbacks", "events", "money",
                  "clock", "ids", "errors", "settings", "crypto")
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


# Queries live in repositories, scoped in one place.

# Called by name, these build SQL.
SQL_BUILDERS = frozenset({"select", "update", "insert", "delete", "exists", "text", "union",
                          "union_all", "values", "literal_column", "aliased"})
# Called on a session, these run it.
SESSION_QUERIES = frozenset({"execute", "scalars", "scalar", "get", "get_one", "connection",
                             "query"})


def _session_names(tree: ast.AST) -> set[str]:
    """``session`` and every parameter annotated ``Session``."""
    names = {"session"}
    for node in ast.walk(tree):
        if (isinstance(node, ast.arg) and node.annotation is not None
                and ast.unparse(node.annotation).split(".")[-1] == "Session"):
            names.add(node.arg)
    return names


def _root(node: ast.expr) -> str:
    """The name a chain of attributes and calls starts from (``session`` for
    ``session.connection().execute``)."""
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else ""


def sql_in(module: Module) -> list[str]:
    """Where ``module`` writes SQL itself: a SQL builder called by name (``select(...)``,
    ``update(...)``, ``exists()``, ``text(...)`` …), a query method called on a session
    (``session.execute/scalars/scalar/get/get_one/connection/query``; a session is
    ``session`` or a parameter annotated ``Session``), or an import from SQLAlchemy of
    anything but ``sqlalchemy.orm.Session`` and the exceptions (``sqlalchemy.exc``).
    The unit of work (``session.add``, ``flush``, ``delete`` of a loaded object) is not
    SQL written by hand and stays allowed."""
    found = []
    sessions = _session_names(module.tree)
    for node in _nodes(module.tree):
        where = f"{module.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"{where} imports {node.module}.{a.name}" for a in node.names
                      if node.module != "sqlalchemy.exc"
                      and (node.module, a.name) != ("sqlalchemy.orm", "Session")]
        elif isinstance(node, ast.Import):
            found += [f"{where} imports {a.name}" for a in node.names
                      if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in SQL_BUILDERS:
                found.append(f"{where} {func.id}(")
            elif (isinstance(func, ast.Attribute) and func.attr in SESSION_QUERIES
                  and _root(func.value) in sessions):
                found.append(f"{where} {ast.unparse(func)}(")
    return found


def holds_no_sql(module: Module) -> bool:
    """Every module of a feature package but its repository, and the web edge."""
    return (module.package in FEATURES and module.role != "repository") or \
        module.package == "web"


def test_sql_lives_in_repositories() -> None:
    bad = [hit for m in MODULES if holds_no_sql(m) for hit in sql_in(m)]
    assert bad == [], "SQL outside a repository (move it to the feature's repository.py):\n" \
        + "\n".join(bad)


def test_the_sql_finder_finds_queries_in_a_service_and_leaves_the_rest() -> None:
    offender = ("from sqlalchemy import select\nfrom sqlalchemy.orm import Session\n"
                "from assay.db.models import Task\n"
                "def f(s: Session, task_id: str):\n"
                "    s.get(Task, task_id)\n"
                "    return s.scalars(select(Task)).all()\n"
                "def g(session, stmt):\n"
                "    return session.connection().execute(stmt)\n")
    module = Module("assay.quality.fake", SRC / "quality" / "fake.py", ast.parse(offender))
    assert module.role == "service" and holds_no_sql(module)
    assert sorted(hit.split(" ", 1)[1] for hit in sql_in(module)) == [
        "imports sqlalchemy.select", "s.get(", "s.scalars(", "select(",
        "session.connection(", "session.connection().execute("]
    clean = ("from sqlalchemy.exc import IntegrityError\nfrom sqlalchemy.orm import Session\n"
             "def f(session: Session, row, limits: dict):\n"
             "    session.add(row)\n    session.flush()\n    return limits.get('x')\n")
    assert sql_in(Module("assay.quality.fake", SRC / "quality" / "fake.py",
                         ast.parse(clean))) == []


def _tables() -> dict[str, str]:
    """Model class name -> its table."""
    from assay.db.models import Base
    return {m.class_.__name__: m.class_.__tablename__ for m in Base.registry.mappers}


TABLES = _tables()
# Tables that are not organization data: a repository reads them without a scope.
NOT_ORGANIZATION_DATA = {
    "jobs": "the job queue is infrastructure: a job carries ids and loads its rows through "
            "scoped functions",
    "signin_failures": "sign-in throttling counters, keyed by digests of an email or an "
                       "address, before anyone is signed in",
    "web_sessions": "a browser session is found by its cookie token's digest: it is what "
                    "yields the principal, so nothing scopes it yet",
}
# The few repository functions that touch organization data and cannot be scoped.
UNSCOPED_FUNCTIONS = {
    "assay.accounts.repository.get_api_key_by_digest":
        "finds the principal from an API key's digest: no organization is known before it",
    "assay.accounts.repository.get_worker_by_token_digest":
        "finds the principal from a worker token's digest: nobody is known before it",
    "assay.accounts.repository.get_worker_by_email":
        "sign-in and sign-up find a worker by email, unique across the platform, before "
        "anyone is signed in",
    "assay.accounts.repository.get_user_by_email":
        "sign-in and sign-up find a user by email, unique across the platform, before "
        "anyone is signed in",
    "assay.work.repository.expire_leases":
        "the lease clock: ends the overdue leases of the projects given (of every project "
        "for the job runner's sweep) and returns a count; it reads nothing out",
}
# Scope parameters, and the columns each filters (``reviewer_id`` holds a worker's id), and
# the model whose id it is.
SCOPES = {"org_id": "org", "worker_org_id": "org", "worker_id": "worker"}
SCOPE_COLUMNS = {"org": ("org_id",), "worker": ("worker_id", "reviewer_id")}
SCOPE_MODELS = {"org": "Organization", "worker": "Worker"}


class Repository:
    """A repository module as ``ast`` sees it: the models it names (with their local
    aliases), its module-level statements and its functions."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.models: dict[str, str] = {}
        self.values: dict[str, ast.AST] = {}
        self.functions: dict[str, ast.FunctionDef] = {}
        for node in module.tree.body:
            if isinstance(node, ast.ImportFrom) and node.module == "assay.db.models":
                self.models.update({a.asname or a.name: a.name for a in node.names
                                    if a.name in TABLES})
            elif isinstance(node, ast.FunctionDef):
                self.functions[node.name] = node
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    pairs = (zip(target.elts, node.value.elts, strict=False)
                             if isinstance(target, ast.Tuple)
                             and isinstance(node.value, ast.Tuple)
                             else [(target, node.value)])
                    for name, value in pairs:
                        if isinstance(name, ast.Name):
                            self.values[name.id] = value
                            if isinstance(value, ast.Name) and value.id in self.models:
                                self.models[name.id] = self.models[value.id]

    def reach(self, fn: ast.FunctionDef) -> list[ast.AST]:
        """The function and every module-level statement and function it uses."""
        found: list[ast.AST] = [fn]
        seen: set[str] = set()
        todo: list[ast.AST] = [fn]
        while todo:
            for node in ast.walk(todo.pop()):
                if isinstance(node, ast.Name) and node.id not in seen:
                    seen.add(node.id)
                    target = self.values.get(node.id) or self.functions.get(node.id)
                    if target is not None and target is not fn:
                        found.append(target)
                        todo.append(target)
        return found

    def tables(self, fn: ast.FunctionDef) -> set[str]:
        return {TABLES[self.models[n.id]] for root in self.reach(fn) for n in ast.walk(root)
                if isinstance(n, ast.Name) and n.id in self.models}

    def _column(self, node: ast.AST, scope: str) -> bool:
        """``X.org_id`` (of the scope), or the id of the scope's own model."""
        return isinstance(node, ast.Attribute) and (
            node.attr in SCOPE_COLUMNS[scope]
            or (node.attr == "id" and isinstance(node.value, ast.Name)
                and self.models.get(node.value.id) == SCOPE_MODELS[scope]))

    def _bound_to_column(self, fn: ast.FunctionDef, key: str, scope: str) -> bool:
        """Whether a statement ``fn`` uses compares a scope column with
        ``bindparam(key)``."""
        for root in self.reach(fn):
            for node in ast.walk(root):
                if not isinstance(node, ast.Compare):
                    continue
                sides = [node.left, *node.comparators]
                if any(self._column(s, scope) for s in sides) and any(
                        isinstance(s, ast.Call) and isinstance(s.func, ast.Name)
                        and s.func.id == "bindparam" and s.args
                        and isinstance(s.args[0], ast.Constant) and s.args[0].value == key
                        for s in sides):
                    return True
        return False

    def filters_by(self, fn: ast.FunctionDef, param: str, depth: int = 0) -> bool:
        """Whether ``fn`` uses its scope parameter ``param`` in a filter (the rule of
        :func:`test_repository_functions_are_scoped`)."""
        scope = SCOPES[param]

        def is_param(node: ast.AST) -> bool:
            return isinstance(node, ast.Name) and node.id == param

        for node in ast.walk(fn):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(map(is_param, sides)) and any(self._column(s, scope) for s in sides):
                    return True
            elif isinstance(node, ast.keyword):
                if node.arg in SCOPE_COLUMNS[scope] and is_param(node.value):
                    return True  # .values(org_id=org_id): the row is written in the scope
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=False):
                    if isinstance(key, ast.Constant) and is_param(value) and (
                            key.value in SCOPE_COLUMNS[scope]
                            or self._bound_to_column(fn, str(key.value), scope)):
                        return True
            elif isinstance(node, ast.Call):
                func = node.func
                if (isinstance(func, ast.Attribute) and func.attr == "in_"
                        and self._column(func.value, scope) and any(map(is_param, node.args))):
                    return True
                if (isinstance(func, ast.Attribute) and func.attr in ("get", "get_one")
                        and len(node.args) == 2 and isinstance(node.args[0], ast.Name)
                        and self.models.get(node.args[0].id) == SCOPE_MODELS[scope]
                        and is_param(node.args[1])):
                    return True
                callee = self.functions.get(func.id) if isinstance(func, ast.Name) else None
                if callee is not None and depth < 5:
                    names = [a.arg for a in callee.args.args]
                    passed = [names[i] for i, arg in enumerate(node.args)
                              if i < len(names) and is_param(arg)]
                    passed += [k.arg for k in node.keywords if k.arg and is_param(k.value)]
                    if any(SCOPES.get(p) == scope and self.filters_by(callee, p, depth + 1)
                           for p in passed):
                        return True
        return False

    def scoped(self, fn: ast.FunctionDef) -> bool:
        args = fn.args
        positional = args.posonlyargs + args.args
        defaulted = {a.arg for a in positional[len(positional) - len(args.defaults):]}
        defaulted |= {a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False)
                      if d is not None}
        return any(a.arg in SCOPES and a.arg not in defaulted and self.filters_by(fn, a.arg)
                   for a in positional + args.kwonlyargs)


def unscoped_functions(modules: Iterable[Module]) -> list[str]:
    """The public repository functions that touch organization data unscoped."""
    bad = []
    for module in modules:
        if module.role != "repository" or module.package not in FEATURES:
            continue
        repo = Repository(module)
        for name, fn in repo.functions.items():
            if name.startswith("_") or f"{module.name}.{name}" in UNSCOPED_FUNCTIONS:
                continue
            tables = repo.tables(fn) - set(NOT_ORGANIZATION_DATA)
            if tables and not repo.scoped(fn):
                bad.append(f"{module.name}.{name} ({', '.join(sorted(tables))})")
    return bad


def test_repository_functions_are_scoped() -> None:
    """Every public function of a ``repository.py`` that touches organization data is
    scoped.

    It *touches organization data* when it, or a module-level statement or function it
    uses, names a model whose table is not in ``NOT_ORGANIZATION_DATA``. It is *scoped*
    when one of its parameters is a scope, ``org_id`` / ``worker_org_id`` (the
    organization) or ``worker_id`` (a worker's own rows), that has no default value
    (reading across organizations, for the operator or a background job, is an explicit
    ``None`` at the call site, never a default) and that it uses in a filter:

    - compared with a column of that scope (``Task.org_id == org_id``; for a worker
      ``worker_id`` or ``reviewer_id``), directly or by ``.in_()``;
    - bound to a prebuilt statement's parameter that is compared with such a column
      (``{"org": org_id}`` with ``Task.org_id == bindparam("org")``);
    - as the key of ``session.get(Organization, org_id)`` / ``session.get(Worker,
      worker_id)``;
    - written as the row's ``org_id`` / ``worker_id`` (an insert or an update);
    - or passed to a function of the module that uses it so.

    ``UNSCOPED_FUNCTIONS`` lists the few functions that cannot be scoped, each with why.
    """
    bad = unscoped_functions(MODULES)
    assert bad == [], "repository functions without the organization (or worker) in a " \
        "filter:\n" + "\n".join(bad)


def _fake_repository(source: str) -> Module:
    return Module("assay.tasks.repository", SRC / "tasks" / "repository.py",
                  ast.parse("from sqlalchemy import bindparam, select\n"
                            "from assay.db.models import Job, Task\nT = Task\n" + source))


def test_the_scope_rule_catches_an_unscoped_repository_function() -> None:
    offenders = {
        "get_by_id": "def get_by_id(session, task_id):\n"
                     "    return session.get(Task, task_id)\n",
        "takes_it_unused": "def takes_it_unused(session, org_id, task_id):\n"
                           "    return session.scalars(select(T).where(T.id == task_id))\n",
        "defaults_it": "def defaults_it(session, org_id=None):\n"
                       "    return session.scalars(select(T).where(T.org_id == org_id))\n",
        "wrong_scope": "def wrong_scope(session, worker_id):\n"
                       "    return session.scalars(select(T).where(T.org_id == worker_id))\n",
        "prebuilt": "_ONE = select(T).where(T.id == bindparam('key'))\n"
                    "def prebuilt(session, org_id, task_id):\n"
                    "    return session.execute(_ONE, {'key': task_id, 'org': org_id})\n",
    }
    for name, source in offenders.items():
        assert unscoped_functions([_fake_repository(source)]) == [
            f"assay.tasks.repository.{name} (tasks)"], name
    scoped = [
        "_ONE = select(T).where(T.id == bindparam('key'), T.org_id == bindparam('org'))\n"
        "def prebuilt(session, org_id, task_id):\n"
        "    return session.execute(_ONE, {'key': task_id, 'org': org_id})\n",
        "def _where(stmt, org_id):\n    return stmt.where(T.org_id == org_id)\n"
        "def helped(session, org_id: str | None):\n"
        "    return session.scalars(_where(select(T), org_id))\n",
        "def insert(session, org_id, rows):\n"
        "    session.execute(insert(T), [{**row, 'org_id': org_id} for row in rows])\n",
        "def worker_side(session, worker_id, ids):\n"
        "    return session.scalars(select(T).where(T.id.in_(ids), T.worker_id == worker_id))\n",
        "def jobs(session):\n    return session.scalars(select(Job))\n",
    ]
    for source in scoped:
        assert unscoped_functions([_fake_repository(source)]) == [], source


def test_the_allowances_are_few_and_name_what_exists() -> None:
    assert set(NOT_ORGANIZATION_DATA) <= set(TABLES.values())
    functions = {f"{m.name}.{n}" for m in MODULES if m.role == "repository"
                 for n in Repository(m).functions}
    assert set(UNSCOPED_FUNCTIONS) <= functions
    assert len(NOT_ORGANIZATION_DATA) + len(UNSCOPED_FUNCTIONS) <= 10


# Features that read or write through another feature's services and have no table of
# their own to query.
WITHOUT_REPOSITORY = {"exports": "reads its snapshot through tasks.service",
                      "synthetic": "reads and adds tasks through tasks.service"}


def test_every_feature_that_queries_has_a_repository() -> None:
    missing = {f for f in FEATURES if not (SRC / f / "repository.py").exists()}
    assert missing == set(WITHOUT_REPOSITORY)
