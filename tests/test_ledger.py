"""The pay ledger: one earning per answer to the cent under concurrency, reversals only for
spam, payouts that pay each entry exactly once (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from assay.client import ValidationFailed
from assay.clock import utcnow
from assay.db.engine import Database
from assay.db.models import LedgerEntry, Response
from assay.ledger.service import create_payout
from assay.money import to_micros, to_text
from tests.support import Org, categorize_project


def run_concurrently(jobs: list[Callable[[], object]]) -> None:
    """Start every job at once on its own thread; re-raise the first failure."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs)) if jobs else None

    def run(job: Callable[[], object]) -> None:
        try:
            assert barrier is not None
            barrier.wait()
            job()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if errors:
        raise errors[0]


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


def test_organization_payouts_by_api_pay_once_and_only_their_own(org: Org,
                                                                   other_org: Org) -> None:
    mine = categorize_project(org, pay={"per_task": "0.10", "currency": "USD"})
    theirs = categorize_project(other_org, pay={"per_task": "0.20", "currency": "USD"})
    org.client.create_tasks(mine["id"], [{"data": {"n": i}} for i in range(5)])
    other_org.client.create_tasks(theirs["id"], [{"data": {"n": i}} for i in range(3)])
    a, b = org.worker(), other_org.worker()
    for worker, project in ((a, mine), (b, theirs)):
        while (offer := worker.next(project["id"])) is not None:
            worker.submit(offer["assignment_id"], {"label": "pos"})
    runs: list[dict[str, Any]] = []

    def run() -> None:
        runs.append(org.client.create_payout())

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(runs) == 4
    wid = a.me()["worker_id"]
    paid = [line for p in runs for line in p["lines"]]
    assert [(x["worker_id"], x["amount"], x["entries"]) for x in paid] == [(wid, "0.50", 5)]
    assert a.me()["balance"] == "0.00" and a.me()["earned"] == "0.50"
    assert b.me()["balance"] == "0.60"  # another organization's workers are not touched
    listed = list(org.client.iter_payouts())
    assert {p["id"] for p in listed} == {p["id"] for p in runs}
    full = next(p for p in runs if p["lines"])
    assert org.client.get_payout(full["id"]) == full and full["totals"] == {"USD": "0.50"}
    [cost] = org.client.cost(mine["id"])["docs"]
    assert cost == {"currency": "USD", "earnings": "0.50", "bonuses": "0.00",
                    "reversals": "0.00", "total": "0.50", "paid": "0.50", "unpaid": "0.00",
                    "answers_paid": 5}
    with pytest.raises(ValidationFailed):
        org.client._call("POST", "/v1/payouts", json={"until": "yesterday"})
    with pytest.raises(ValidationFailed):  # an instant without its offset is ambiguous
        org.client._call("POST", "/v1/payouts", json={"until": "2026-01-01T00:00:00"})


def test_training_is_paid_when_the_project_says_so(org: Org) -> None:
    project = categorize_project(org, pay={"per_task": "0.10", "training_per_task": "0.03",
                                           "currency": "USD"},
                                 quality={"overlap": 1, "min_worker_accuracy": 0.5})
    for i in range(2):
        org.client.add_training(project["id"], {"text": f"t{i}"}, {"label": "pos"}, "because")
    org.client.create_task(project["id"], {"text": "live"})
    worker = org.worker()
    for _ in range(3):
        offer = worker.next(project["id"])
        assert offer is not None
        worker.submit(offer["assignment_id"], {"label": "pos"})
    assert worker.me(project["id"])["earned"] == "0.16"  # 2 x 0.03 + 0.10
    [cost] = org.client.cost(project["id"])["docs"]
    assert cost["answers_paid"] == 3 and cost["total"] == "0.16"


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(answers=st.lists(st.integers(0, 4), min_size=2, max_size=4),
       rejected=st.sets(st.integers(0, 15), max_size=6),
       bonuses=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 500), st.integers(1, 3)),
                        max_size=4),
       payout_runs=st.integers(0, 3))
def test_ledger_invariants_hold_under_concurrency(
        org: Org, answers: list[int], rejected: set[int],
        bonuses: list[tuple[int, int, int]], payout_runs: int) -> None:
    """Workers answer, bonuses are sent (each key several times at once) and payouts run,
    all concurrently; a reviewer then rejects some answers. Per worker, to the cent:
    earned = rate x (answers - rejected) + bonuses, and paid + balance = earned."""
    rate = Decimal("0.07")
    project = categorize_project(org, quality={"overlap": 1, "review_rate": 1.0},
                                 pay={"per_task": str(rate), "currency": "USD"})
    n_tasks = sum(answers)
    if n_tasks:
        org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(n_tasks)])
    workers = [org.worker() for _ in answers]
    ids = [w.me()["worker_id"] for w in workers]
    done = [0] * len(workers)
    jobs: list[Callable[[], object]] = []

    def answer(i: int) -> None:
        for _ in range(answers[i]):
            offer = workers[i].next(project["id"])
            if offer is None:
                return
            workers[i].submit(offer["assignment_id"], {"label": "pos"})
            done[i] += 1

    jobs += [lambda i=i: answer(i) for i in range(len(workers))]  # type: ignore[misc]
    jobs += [org.client.create_payout for _ in range(payout_runs)]
    run_concurrently(jobs)
    # Bonuses only for workers who answered; each key sent 1-3 times at once.
    given_bonus: dict[str, Decimal] = {}
    sends: list[Callable[[], object]] = []
    for k, (who, cents, repeats) in enumerate(bonuses):
        i = who % len(workers)
        if not done[i]:
            continue
        amount = Decimal(cents) / 100
        given_bonus[ids[i]] = given_bonus.get(ids[i], Decimal(0)) + amount
        key = f"{project['id']}-{k}"
        sends += [lambda i=i, a=amount, key=key: org.client.bonus(  # type: ignore[misc]
            project["id"], ids[i], str(a), idempotency_key=key) for _ in range(repeats)]
    run_concurrently(sends)
    reviewer = org.worker()
    org.client.add_reviewer(project["id"], reviewer.me()["worker_id"])
    rejected_by: dict[str, int] = {}
    while (item := reviewer.next_review(project["id"])) is not None:
        task = org.client.get_task(item["task_id"], include_responses=True)
        reject = task["data"]["n"] in rejected
        reviewer.review(item["task_id"], "accept",
                        rejected_answers=[a["answer_id"] for a in item["answers"]] if reject
                        else [])
        if reject:
            [response] = task["responses"]
            rejected_by[response["worker_id"]] = rejected_by.get(response["worker_id"], 0) + 1
    org.client.create_payout()
    paid: dict[str, Decimal] = {}
    for payout in org.client.iter_payouts():
        for line in payout["lines"]:
            paid[line["worker_id"]] = paid.get(line["worker_id"], Decimal(0)) + Decimal(
                line["amount"])
    total = Decimal(0)
    for i, worker in enumerate(workers):
        me = worker.me(project["id"])
        expected = rate * (done[i] - rejected_by.get(ids[i], 0)) + given_bonus.get(
            ids[i], Decimal(0))
        assert Decimal(me["earned"]) == expected, (i, me)
        assert paid.get(ids[i], Decimal(0)) + Decimal(me["balance"]) == expected
        total += expected
    cost = org.client.cost(project["id"])["docs"]
    assert sum(Decimal(c["total"]) for c in cost) == total
