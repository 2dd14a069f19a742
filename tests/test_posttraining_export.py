"""``GET /v1/projects/{id}/export?format=<post-training format>[&file=parquet]`` over real
HTTP, on SQLite and PostgreSQL: a compare project's finished battles become pairs, the
Parquet file holds the same rows as the JSON lines, and a kind without preferences, another
organization's project, a bad format and a caller without a key are refused."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from assay.exports.formats import FORMAT_NAMES
from tests.support import Org, categorize_project
from tests.test_cli import assay


def _lines(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.splitlines() if line.strip()]


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@pytest.fixture(scope="module")
def battles(org: Org) -> str:
    """A compare project of three battles, each judged by the same three workers: b wins the
    first 2 to 1, the second is a tie vote (a, b, tie) and the third is left unfinished."""
    project = org.client.create_project(
        name="battles", kind="compare", params={"allow_tie": True},
        quality={"overlap": 3, "max_overlap": 3, "target_confidence": 0, "review_rate": 0,
                 "gold_rate": 0})
    org.client.create_tasks(project["id"], [
        {"data": {"prompt": f"Question {i}", "a": f"answer A{i}", "b": {"text": f"answer B{i}"}},
         "unique_id": f"q{i}"} for i in range(3)])
    votes = {"q0": ["b", "b", "a"], "q1": ["a", "b", "tie"], "q2": ["a"]}
    for w in range(3):
        worker = org.worker()
        while (offer := worker.next(project["id"])) is not None:
            task = offer["data"]["prompt"].replace("Question ", "q")
            if w >= len(votes[task]):
                break
            choice = votes[task][w]
            worker.submit(offer["assignment_id"],
                          {"choice": choice, **({"strength": 2} if choice != "tie" else {})})
    return str(project["id"])


def test_a_compare_project_exports_its_pairs(org: Org, battles: str) -> None:
    dpo = _lines(b"".join(org.client.export(battles, format="dpo")))
    assert dpo == [{"prompt": [{"role": "user", "content": "Question 0"}],
                    "chosen": [{"role": "assistant", "content": "answer B0"}],
                    "rejected": [{"role": "assistant", "content": "answer A0"}]}]
    (reward,) = _lines(b"".join(org.client.export(battles, format="reward")))
    assert reward["margin"] == pytest.approx(2 / 3)  # strength 2, 2 and -2
    kto = _lines(b"".join(org.client.export(battles, format="kto")))
    assert [(r["completion"][0]["content"], r["label"]) for r in kto] == [
        ("answer B0", True), ("answer A0", False)]
    # The tied battle still has a best reply for sft (the first offered); the unfinished
    # one gives nothing.
    sft = _lines(b"".join(org.client.export(battles, format="sft")))
    assert [r["messages"][0]["content"] for r in sft] == ["Question 0", "Question 1"]


def test_parquet_holds_the_same_rows_as_json_lines(org: Org, battles: str) -> None:
    for fmt in FORMAT_NAMES:
        lines = _lines(b"".join(org.client.export(battles, format=fmt)))
        with org.http() as http:
            response = http.get(f"/v1/projects/{battles}/export",
                                params={"format": fmt, "file": "parquet"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/vnd.apache.parquet"
        table = pq.read_table(io.BytesIO(response.content))
        # Parquet has a column for every field: a field a line leaves out is null there.
        assert [_without_nulls(row) for row in table.to_pylist()] == lines, fmt
    # Task objects too, with the CSV's columns.
    table = pq.read_table(io.BytesIO(b"".join(org.client.export(battles, file="parquet"))))
    assert table.num_rows == 3
    assert json.loads(table.column("answer")[0].as_py()) == {"choice": "b"}
    assert table.column("n_responses").to_pylist() == [3, 3, None]


def test_what_cannot_be_exported_is_refused(org: Org, other_org: Org, battles: str) -> None:
    project = categorize_project(org)
    with org.http() as http:
        refused = http.get(f"/v1/projects/{project['id']}/export", params={"format": "dpo"})
        assert refused.status_code == 422
        assert refused.json()["error"]["details"]["fields"][0]["field"] == "format"
        unknown = http.get(f"/v1/projects/{battles}/export", params={"format": "alpaca"})
        assert unknown.status_code == 422
        bad_file = http.get(f"/v1/projects/{battles}/export",
                            params={"format": "dpo", "file": "xlsx"})
        assert bad_file.status_code == 422
    with other_org.http() as http:
        foreign = http.get(f"/v1/projects/{battles}/export",
                           params={"format": "dpo", "file": "parquet"})
    assert foreign.status_code == 404
    assert isinstance(foreign.json()["error"], dict)
    with httpx.Client(base_url=org.url) as anonymous:
        assert anonymous.get(f"/v1/projects/{battles}/export?format=sft").status_code == 401


def test_the_command_line_exports_the_same(org: Org, battles: str, db_url: str,
                                           tmp_path: Path) -> None:
    lines = _lines(b"".join(org.client.export(battles, format="reward")))
    target = tmp_path / "reward.jsonl"
    out = assay("export", "--project", battles, "--format", "reward", "--out", str(target),
                "--json", db_url=db_url)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["exported"] == len(lines) == 1
    assert _lines(target.read_bytes()) == lines
    table = tmp_path / "sft.parquet"
    out = assay("export", "--project", battles, "--format", "sft", "--parquet", "--out",
                str(table), db_url=db_url)
    assert out.returncode == 0, out.stderr
    assert pq.read_table(table).to_pylist() == _lines(
        b"".join(org.client.export(battles, format="sft")))
    project = categorize_project(org)
    refused = assay("export", "--project", project["id"], "--format", "kto", "--out",
                    str(tmp_path / "no.jsonl"), db_url=db_url)
    assert refused.returncode == 2 and "format" in refused.stderr
    assert not (tmp_path / "no.jsonl").exists()
