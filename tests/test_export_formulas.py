"""CSV export cells that a spreadsheet would run as a formula start with a ``'``."""

from __future__ import annotations

import csv
import io
import json

from tests.support import Org, categorize_project

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A9)",
           "\tx", "\r=1"]


def test_cells_that_start_a_formula_are_escaped_the_owasp_way(org: Org) -> None:
    project = categorize_project(org)
    tasks = [{"data": {"text": "t"}, "unique_id": uid} for uid in HOSTILE]
    tasks += [{"data": {"text": "=2*3"}, "unique_id": "a-plain-id", "metadata": {"k": "=x"}}]
    org.client.create_tasks(project["id"], tasks)
    raw = b"".join(org.client.export(project["id"], format="csv")).decode()
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert [r["unique_id"] for r in rows[:len(HOSTILE)]] == ["'" + u for u in HOSTILE]
    # JSON objects start with a brace, and an id with a minus inside is plain text.
    plain = rows[-1]
    assert plain["unique_id"] == "a-plain-id"
    assert json.loads(plain["data"]) == {"text": "=2*3"}
    assert json.loads(plain["metadata"]) == {"k": "=x"}
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    # JSON Lines is data for programs: as stored.
    objects = list(org.client.iter_export(project["id"]))
    assert [o["unique_id"] for o in objects[:len(HOSTILE)]] == HOSTILE
