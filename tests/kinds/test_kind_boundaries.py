"""Nothing outside ``assay.kinds`` names a kind: the code asks the registry instead
(``demo`` is seed data; the maths in ``algorithms`` knows no kinds)."""

from __future__ import annotations

import ast
from pathlib import Path

from assay.kinds import KIND_NAMES

SRC = Path(__file__).resolve().parents[2] / "src" / "assay"
ALLOWED = ("kinds", "demo", "algorithms")


def _data_keys(tree: ast.AST) -> set[int]:
    """Constants used as a key of one object (``answer["text"]``, ``data.get("text")``,
    ``{"text": ...}``) or as a docstring: a word, not a kind."""
    keys: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            named = [k for k in node.keys if isinstance(k, ast.Constant) and k.value in KIND_NAMES]
            if len(named) < 2:  # two kinds' names as keys: a table by kind
                keys.update(id(k) for k in named)
        elif isinstance(node, ast.Subscript) and "Literal" not in ast.unparse(node.value):
            keys.add(id(node.slice))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("get", "pop", "setdefault") and node.args):
            keys.add(id(node.args[0]))
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
                and node.body and isinstance(node.body[0], ast.Expr):
            keys.add(id(node.body[0].value))
    return keys


def kind_names_in(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    keys = _data_keys(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in KIND_NAMES
            and id(node) not in keys]


def test_the_check_sees_dispatch_on_a_kind_and_not_a_data_key() -> None:
    assert kind_names_in('if project.kind == "spans":\n    pass\n') == [(1, "spans")]
    assert kind_names_in('x = {"rate": 1, "text": 2}\n') == [(1, "rate"), (1, "text")]
    assert kind_names_in('Kind = Literal["boxes"]\n') == [(1, "boxes")]
    assert kind_names_in('t = answer["text"] or data.get("text")\ny = {"text": t}\n') == []


def test_no_module_outside_the_kinds_names_a_kind() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.relative_to(SRC).parts[0] in ALLOWED:
            continue
        found += [f"{path.relative_to(SRC)}:{line} {name!r}"
                  for line, name in kind_names_in(path.read_text())]
    assert found == [], "ask the kind registry (assay.kinds) instead:\n" + "\n".join(found)
