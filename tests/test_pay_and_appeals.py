"""Bonuses (idempotent by key) and appeals (once per project, decided by an operator)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

from assay.client import Conflict, Forbidden, NotFound, ValidationFailed
from tests.support import Org, categorize_project


def _bonus(org: Org, project_id: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    with org.http() as http:
        r = http.post(f"/v1/projects/{project_id}/bonuses", json=body)
        return r.status_code, r.json()


def test_a_bonus_is_paid_once_per_key(org: Org) -> None:
    project = categorize_project(org, pay={"per_task": "0.10", "currency": "EUR"})
    org.client.create_task(project["id"], {"text": "x"})
    worker, stranger = org.worker(), org.worker()
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    wid = worker.me()["worker_id"]
    body = {"worker_id": wid, "amount": "2.50", "memo": "great work", "idempotency_key": "b-1"}
    status, first = _bonus(org, project["id"], body)
    assert status == 201 and first["amount"] == "2.50" and first["currency"] == "EUR"
    status, again = _bonus(org, project["id"], body)  # a retried request
    assert again["id"] == first["id"]
    assert Decimal(worker.me(project["id"])["earned"]) == Decimal("2.60")
    status, _ = _bonus(org, project["id"], {**body, "idempotency_key": "b-2"})
    assert Decimal(worker.me(project["id"])["earned"]) == Decimal("5.10")
    status, err = _bonus(org, project["id"], {"worker_id": stranger.me()["worker_id"],
                                              "amount": "1"})
    assert status == 404
    status, err = _bonus(org, project["id"], {"worker_id": wid, "amount": "-1"})
    assert status == 422 and "amount" in json.dumps(err)


def _appeals(db_url: str, *args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-m", "assay.cli", "appeals", *args, "--json",
                          "--db", db_url], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_a_paused_worker_appeals_once_and_an_operator_decides(org: Org, db_url: str) -> None:
    # Gold checks meet the bar when disclosed: here after the 5th answer (the 5th check).
    project = categorize_project(org, quality={"overlap": 1, "gold_rate": 1.0,
                                               "min_worker_accuracy": 0.7,
                                               "disclose_every": 5})
    for i in range(5):
        org.client.add_gold(project["id"], {"text": f"g{i}"}, {"label": "pos"})
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(3)])
    worker = org.worker()
    with pytest.raises(NotFound):  # not paused: nothing to appeal
        worker._call("POST", "/v1/work/appeals", json={"project": project["id"],
                                                       "message": "why?"})
    with pytest.raises(Forbidden):
        for _ in range(10):
            offer = worker.next(project["id"])
            assert offer is not None
            worker.submit(offer["assignment_id"], {"label": "neg"})
    with pytest.raises(ValidationFailed):
        worker._call("POST", "/v1/work/appeals", json={"project": project["id"]})
    appeal = worker._call("POST", "/v1/work/appeals",
                          json={"project": project["id"], "message": "I misread the guide"})
    assert appeal["status"] == "pending" and appeal["pause_reason"] in ("spam", "low_accuracy")
    with pytest.raises(Conflict):
        worker._call("POST", "/v1/work/appeals", json={"project": project["id"],
                                                       "message": "again"})
    pending = _appeals(db_url, "list", "--status", "pending")["appeals"]
    assert appeal["id"] in [a["id"] for a in pending]  # type: ignore[index]
    decided = _appeals(db_url, "decide", appeal["id"], "--grant", "--note", "one more chance")
    assert decided["status"] == "granted"
    assert worker.me(project["id"])["status"] == "active"
    assert worker.next(project["id"]) is not None
    [mine] = worker._call("GET", "/v1/work/appeals")["docs"]
    assert mine["decision_note"] == "one more chance"
    # The record stays, and the bar applies afresh to the checks after the decision.
    record = worker.standing(project["id"])
    assert [e["kind"] for e in record["history"]] == ["paused", "appealed", "granted"]
    assert record["history"][2]["note"] == "one more chance"
    assert record["accuracy"]["gold_answers"] == 5 and record["accuracy"]["gold_correct"] == 0
    assert record["accuracy"]["counted_answers"] == 0
    assert record["appeal"]["status"] == "granted" and record["can_appeal"] is False
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "neg"})
    assert worker.me(project["id"])["status"] == "active"  # one new miss is not evidence


def test_a_worker_sees_retired_gold_flags_and_earnings_as_evidence(org: Org) -> None:
    project = categorize_project(
        org, quality={"overlap": 1, "gold_rate": 1.0, "disclose_every": 5},
        limits={"min_seconds_per_task": 60}, pay={"per_task": "0.05", "currency": "USD"})
    golds = [org.client.add_gold(project["id"], {"text": f"gold {i}"}, {"label": "pos"})
             for i in range(3)]
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(2)])
    worker = org.worker()
    # Three checks first (gold_rate 1), then the two live tasks: the 5th answer discloses.
    for n, label in enumerate(("pos", "neg", "pos", "neg", "neg"), start=1):
        offer = worker.next(project["id"])
        assert offer is not None
        worker.submit(offer["assignment_id"], {"label": label})
        if n < 5:
            assert worker.standing(project["id"])["accuracy"]["gold_answers"] == 0
    before = worker.standing(project["id"])
    assert before["evidence"]["gold"] == {"retired": [], "hidden": 3}  # checks stay secret
    assert before["accuracy"]["gold_answers"] == 3 and before["accuracy"]["gold_correct"] == 2
    assert 0 < before["accuracy"]["low"] < before["accuracy"]["estimate"] < 1
    retired = org.client.retire_gold(project["id"], golds[1]["id"])
    assert retired["retired"] is True
    assert org.client.retire_gold(project["id"], golds[1]["id"])["retired"] is True  # no-op
    after = worker.standing(project["id"])
    [shown] = after["evidence"]["gold"]["retired"]
    assert after["evidence"]["gold"]["hidden"] == 2
    assert shown["gold_id"] == golds[1]["id"] and shown["data"] == {"text": "gold 1"}
    assert shown["expected"] == {"label": "pos"}
    assert shown["answer"] in ({"label": "pos"}, {"label": "neg"})
    assert shown["correct"] == (shown["answer"] == {"label": "pos"})
    # Answers under the project's floor were flagged by the server; the worker sees it.
    assert [f["kind"] for f in after["flags"]] == ["too_fast"] * 5
    assert set(after["flags"][0]["detail"]) == {"duration_ms", "floor_ms"}
    assert after["earned"] == "0.25" and after["balance"] == "0.25"
    # A retired gold task is no longer served.
    assert {g["id"]: g["retired"] for g in org.client.iter_gold(project["id"])}[
        golds[1]["id"]] is True


def _cli(db_url: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "assay.cli", *args, "--json", "--db", db_url],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def test_an_operator_pauses_for_fraud_lists_flags_and_resumes(org: Org, db_url: str) -> None:
    project = categorize_project(org, pay={"per_task": "0.10", "currency": "USD"},
                                 limits={"min_seconds_per_task": 30})
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(4)])
    worker = org.worker()
    wid = worker.me()["worker_id"]
    for _ in range(3):
        offer = worker.next(project["id"])
        assert offer is not None
        worker.submit(offer["assignment_id"], {"label": "pos"})
    flags = _cli(db_url, "flags", "list", "--project", project["id"])["flags"]
    assert [(f["kind"], f["worker_id"]) for f in flags] == [("too_fast", wid)] * 3
    paused = _cli(db_url, "worker", "pause", wid, "--project", project["id"], "--reason",
                  "fraud", "--note", "scripted answers, see flags")
    assert paused["status"] == "paused"
    assert worker.me(project["id"])["earned"] == "0.00"  # fraud is not paid
    with pytest.raises(Forbidden):
        worker.next(project["id"])
    _cli(db_url, "worker", "resume", wid, "--project", project["id"], "--note", "cleared")
    offer = worker.next(project["id"])
    assert offer is not None
    worker.submit(offer["assignment_id"], {"label": "pos"})
    _cli(db_url, "worker", "pause", wid, "--project", project["id"], "--reason", "operator")
    assert worker.me(project["id"])["earned"] == "0.10"  # a plain hold keeps the pay
    record = worker.standing(project["id"])
    assert [(e["kind"], e["reason"], e["note"]) for e in record["history"]] == [
        ("paused", "fraud", "scripted answers, see flags"), ("resumed", "fraud", "cleared"),
        ("paused", "operator", None)]
    again = subprocess.run([sys.executable, "-m", "assay.cli", "worker", "pause", wid,
                            "--project", project["id"], "--reason", "fraud", "--db", db_url],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "already paused" in again.stderr
