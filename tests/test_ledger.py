"""The pay ledger: one earning per answer to the cent under concurrency, reversals only for
spam, payouts that pay each entry exactly once (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from assay.clock import utcnow
from assay.db.engine import Database
from assay.db.models import LedgerEntry, Response
from assay.ledger.money import to_micros, to_text
from assay.ledger.service import create_payout
from tests.support import Org, categorize_project


def test_money_text_round_trips() -> None:
    for text in ("0.05", "1.00", "12.345678", "0.10"):
        assert Decimal(to_text(to_micros(text))) == Decimal(text)
    assert to_text(-50_000) == "-0.05"


def test_concurrent_answers_earn_exactly(org: Org, db: Database) -> None:
    project = categorize_project(org, pay={"per_task": "0.07", "currency": "EUR"},
                                 quality={"overlap": 2})
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(60)])
    workers = [org.worker() for _ in range(8)]
    counts = [0] * 8

    def work(i: int) -> None:
        while (offer := workers[i].next(project["id"])) is not None:
            workers[i].submit(offer["assignment_id"], {"label": "pos"})
            counts[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sum(counts) == 120
    for i, worker in enumerate(workers):
        me = worker.me(project["id"])
        assert me["currency"] == "EUR"
        assert Decimal(me["earned"]) == Decimal("0.07") * counts[i]
        assert me["earned"] == me["balance"]
    report = list(org.client.iter_workers(project["id"]))
    assert sum(Decimal(w["earned"]) for w in report) == Decimal("8.40")
    with db.read() as session:
        earnings = session.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.project_id == project["id"], LedgerEntry.kind == "earning"))
        answers = session.scalar(select(func.count()).select_from(Response).where(
            Response.project_id == project["id"]))
    assert earnings == answers == 120


def test_spam_is_reversed_and_payouts_pay_once(org: Org, db: Database,
                                               db_url: str, tmp_path: Path) -> None:
    project = categorize_project(org, pay={"per_task": "0.10", "currency": "USD"},
                                 quality={"overlap": 1, "gold_rate": 1.0,
                                          "min_worker_accuracy": 0.7})
    for i in range(6):
        org.client.add_gold(project["id"], {"text": f"g{i}"}, {"label": "pos"})
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(10)])
    spammer, honest = org.worker(), org.worker()
    from assay.client import Forbidden

    try:
        for _ in range(20):
            offer = spammer.next(project["id"])
            assert offer is not None
            spammer.submit(offer["assignment_id"], {"label": "neg"})
    except Forbidden:
        pass
    assert spammer.me(project["id"])["status"] == "paused"
    assert Decimal(spammer.me(project["id"])["earned"]) == 0  # every earning reversed
    while (offer := honest.next(project["id"])) is not None:
        honest.submit(offer["assignment_id"], {"label": "pos"})
    honest_earned = Decimal(honest.me(project["id"])["earned"])
    assert honest_earned > 0

    until = (utcnow() + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    out = subprocess.run([sys.executable, "-m", "assay.cli", "payouts", "create", "--until",
                          until, "--out", str(tmp_path), "--json", "--db", db_url],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    batch = json.loads(out.stdout)
    paid = {line["worker_id"]: Decimal(line["amount"]) for line in batch["lines"]}
    honest_id = honest.me()["worker_id"]
    assert paid[honest_id] == honest_earned
    assert spammer.me()["worker_id"] not in paid  # a zero balance is not paid
    assert Path(batch["csv"]).read_text().count("\n") == len(batch["lines"]) + 1
    assert honest.me(project["id"])["balance"] == "0.00"
    again = subprocess.run([sys.executable, "-m", "assay.cli", "payouts", "create",
                            "--until", until, "--out", str(tmp_path), "--json", "--db",
                            db_url], capture_output=True, text=True, timeout=120)
    assert json.loads(again.stdout)["lines"] == []  # nothing is paid twice


def test_concurrent_payout_runs_pay_each_entry_once(org: Org, db: Database) -> None:
    project = categorize_project(org, pay={"per_task": "0.25", "currency": "USD"})
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(12)])
    worker = org.worker()
    while (offer := worker.next(project["id"])) is not None:
        worker.submit(offer["assignment_id"], {"label": "pos"})
    until = datetime.now(UTC) + timedelta(seconds=1)
    batches: list[dict[str, object]] = []

    def run() -> None:
        batches.append(db.write(lambda s: create_payout(s, until, utcnow())))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    wid = worker.me()["worker_id"]
    paid = sum(Decimal(line["amount"]) for b in batches for line in b["lines"]  # type: ignore[attr-defined]
               if line["worker_id"] == wid)
    assert paid == Decimal("3.00")
