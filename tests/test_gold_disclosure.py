"""A worker cannot tell a gold item from what they see change after answering it.

The attacker reads every worker-visible figure (``/v1/work/me`` overall and per project,
``/v1/work/standing``, the work list and standing pages) after every submit and diffs it
with the reading before. Only what changes with every answer alike (the answer counts,
earnings) may change at every answer; anything else may change only at a disclosure point
(every ``quality.disclose_every``-th answer), where every check so far comes out at once.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from assay.accounts import service as accounts
from assay.client import Forbidden, WorkerClient
from tests.support import Org, categorize_project
from tests.web.support import Account, signed_in_client

EVERY = 10
# What every answer changes, gold or live.
PER_ANSWER = ("answers", "answers_today", "earned", "balance")
_PER_ANSWER_HTML = re.compile(
    r'(<(?:dd|strong) id="(?:answers|answers-today|answers-total|earned)">)[^<]*'
    r'|\(unpaid [^)]*\)')


def _worker(org: Org) -> tuple[WorkerClient, Account]:
    email, password = f"attacker-{uuid.uuid4().hex[:10]}@example.com", "a long password"
    worker_id, token = org.db.write(
        lambda s: accounts.create_worker(s, email, org.org_id, password))
    return WorkerClient(org.url, token), Account(email, password, worker_id)


def _api_view(worker: WorkerClient, project_id: str) -> dict[str, Any]:
    def strip(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in doc.items() if k not in PER_ANSWER}
    return {"me": strip(worker.me()), "me_project": strip(worker.me(project_id)),
            "standing": strip(worker.standing(project_id))}


def test_no_figure_changes_after_a_gold_answer_but_at_disclosure_points(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "gold_rate": 0.5})
    pid = project["id"]
    for i in range(12):
        org.client.add_gold(pid, {"text": f"check {i}"}, {"label": "neu"})
    org.client.create_tasks(pid, [{"data": {"text": f"live {i}"}} for i in range(24)])
    worker, account = _worker(org)
    with signed_in_client(org.url, account) as pages:
        def view() -> dict[str, Any]:
            return {**_api_view(worker, pid), **{
                path: _PER_ANSWER_HTML.sub(r"\1", pages.get(path).text)
                for path in ("/work", f"/work/{pid}/standing")}}

        before, answered, changed_at = view(), 0, []
        gold_at: list[int] = []
        while (offer := worker.next(pid)) is not None:
            is_gold = offer["data"]["text"].startswith("check")
            # Right on every other check, as a careful attacker would not be.
            label = "neu" if is_gold and len(gold_at) % 2 == 0 else "pos"
            receipt = worker.submit(offer["assignment_id"], {"label": label})
            assert set(receipt) == {"assignment_id", "status"}
            answered += 1
            gold_at += [answered] if is_gold else []
            after = view()
            if after != before:
                changed_at.append(answered)
            before = after
    assert answered >= 24 + EVERY // 2, answered  # all the live work, and some gold
    # Gold came at answers that are not disclosure points: the attack had its chance.
    assert [n for n in gold_at if n % EVERY], gold_at
    assert changed_at and all(n % EVERY == 0 for n in changed_at), (changed_at, gold_at)
    # The fair view: at the last disclosure point every check up to it came out.
    last_point = answered - answered % EVERY
    me = worker.standing(pid)["accuracy"]
    shown = [n for n in gold_at if n <= last_point]
    assert me["gold_answers"] == len(shown)
    assert me["gold_correct"] == sum(1 for k, n in enumerate(gold_at) if n <= last_point
                                     and k % 2 == 0)
    assert worker.standing(pid)["evidence"]["gold"]["hidden"] == len(shown)
    # The requester sees every check at once.
    [row] = [w for w in org.client.iter_workers(pid) if w["worker_id"] == account.subject_id]
    assert row["gold_answers"] == len(gold_at)


def test_the_bar_pauses_only_at_a_disclosure_point(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "gold_rate": 0.5,
                                               "min_worker_accuracy": 0.7,
                                               "disclose_every": 5})
    pid = project["id"]
    for i in range(10):
        org.client.add_gold(pid, {"text": f"check {i}"}, {"label": "neu"})
    org.client.create_tasks(pid, [{"data": {"text": f"live {i}"}} for i in range(40)])
    worker, _ = _worker(org)
    answered, checks, paused_at = 0, 0, None
    while paused_at is None:
        try:
            offer = worker.next(pid)
        except Forbidden:
            pytest.fail("paused without a disclosure point")
        assert offer is not None, "the gold ran out before five wrong checks came out"
        checks += offer["data"]["text"].startswith("check")
        worker.submit(offer["assignment_id"], {"label": "pos"})  # wrong on every check
        answered += 1
        if worker.me(pid)["status"] == "paused":
            paused_at = answered
    assert paused_at % 5 == 0 and checks >= 5
    standing = worker.standing(pid)
    assert standing["pause_reason"] in ("spam", "low_accuracy")
    assert standing["accuracy"]["gold_answers"] == checks  # the bar judged what they see
    assert standing["history"][0]["note"] == f"0 of {checks} checked answers right"


def test_disclose_every_is_a_project_setting_with_a_floor(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "disclose_every": 20})
    assert project["quality"]["disclose_every"] == 20
    assert "disclose_every" not in categorize_project(org)["quality"]
    with org.http() as http:
        r = http.post("/v1/projects", json={"name": "p", "kind": "categorize",
                                            "params": {"labels": ["a"]},
                                            "quality": {"disclose_every": 1}})
    assert r.status_code == 422 and "quality.disclose_every" in r.text
