"""Nothing outside ``assay.kinds`` names a kind: the code asks the registry instead
(``demo`` is seed data; the maths in ``algorithms`` knows no kinds).

A kind's name is also an ordinary word (``"text"`` is a data key and a field default), so
the check looks for a name where it means a kind: compared with something called ``kind``,
given as ``kind=``/``"kind":``, listed with another kind's name (a tuple, a ``Literal``, a
table keyed by kind), or alone in a ``Literal``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from assay.kinds import KIND_NAMES

SRC = Path(__file__).resolve().parents[2] / "src" / "assay"
ALLOWED = ("kinds", "demo", "algorithms")
# Named exceptions, each a debt to pay with a kind hook, not a licence: a new file is not
# added here lightly.
DEBTS: dict[str, str] = {}


def _names(nodes: list[ast.expr | None]) -> list[ast.Constant]:
    return [n for n in nodes if isinstance(n, ast.Constant) and n.value in KIND_NAMES]


def kind_names_in(source: str) -> list[tuple[int, str]]:
    found: list[ast.Constant] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any("kind" in ast.unparse(side) for side in sides):
                for side in sides:
                    found += _names([side, *getattr(side, "elts", [])])
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            if len(named := _names(list(node.elts))) >= 2:
                found += named
        elif isinstance(node, ast.Dict):
            if len(named := _names(list(node.keys))) >= 2:
                found += named
            found += [v for k, v in zip(node.keys, node.values, strict=True)
                      if isinstance(k, ast.Constant) and k.value == "kind"
                      and v in _names([v])]
        elif isinstance(node, ast.keyword) and node.arg == "kind":
            found += _names([node.value])
        elif isinstance(node, ast.Subscript) and "Literal" in ast.unparse(node.value):
            found += _names([node.slice])
    return sorted({(n.lineno, n.value) for n in found})


def test_the_check_sees_a_kind_and_not_a_word() -> None:
    assert kind_names_in('if project.kind == "spans":\n    pass\n') == [(1, "spans")]
    assert kind_names_in('q = Project.kind.in_(("rate", "text"))\n') == [(1, "rate"),
                                                                          (1, "text")]
    assert kind_names_in('x = {"rate": 1, "text": 2}\n') == [(1, "rate"), (1, "text")]
    assert kind_names_in('K = Literal["boxes"]\nf(kind="compare")\n') == [(1, "boxes"),
                                                                           (2, "compare")]
    assert kind_names_in('form = {"kind": "categorize"}\n') == [(1, "categorize")]
    words = ('t = answer["text"] or data.get("text")\ny = {"text": t}\n'
             'p.add_argument("--field", default="text")\n')
    assert kind_names_in(words) == []


def test_no_module_outside_the_kinds_names_a_kind() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.relative_to(SRC).parts[0] in ALLOWED or \
                path.relative_to(SRC).as_posix() in DEBTS:
            continue
        found += [f"{path.relative_to(SRC)}:{line} {name!r}"
                  for line, name in kind_names_in(path.read_text())]
    assert found == [], "ask the kind registry (assay.kinds) instead:\n" + "\n".join(found)
