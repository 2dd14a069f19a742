"""After a refit, tasks adaptive overlap settled on too little are judged again with the new
worker models: reopened for one more answer, or relabelled (SQLite, PostgreSQL)."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select

from assay.accounts import service as accounts
from assay.client import Forbidden, WorkerClient
from assay.clock import utcnow
from assay.db.models import Project, Response, Task
from assay.quality.refit import prepare_refit, refit_project
from tests.support import Org, ServerProcess, categorize_project

LABELS = ["pos", "neg", "neu"]


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The server's own refit would run at a moment of its choosing: here only the test
    refits, so the state before and after is known."""
    log = tmp_path_factory.mktemp("log") / "server.log"
    proc = ServerProcess(db_url, env={"ASSAY_REFIT_S": "3600"}, log_path=log).start()
    yield proc
    proc.stop()


def _worker(org: Org) -> WorkerClient:
    _, token = org.db.write(lambda s: accounts.create_worker(
        s, f"r-{uuid.uuid4().hex[:10]}@example.com", org.org_id))
    return WorkerClient(org.url, token)


def _answer_all(worker: WorkerClient, project_id: str, label: Any) -> int:
    """Answer every task offered: ``label`` is a label, or a function of the task data."""
    n = 0
    while (offer := worker.next(project_id)) is not None:
        given = label(offer["data"]) if callable(label) else label
        worker.submit(offer["assignment_id"], {"label": given})
        n += 1
    return n


def _tasks(org: Org, project_id: str) -> dict[str, dict[str, Any]]:
    return {t["data"]["text"]: t for t in org.client.iter_tasks(project=project_id)}


def _history(org: Org, truths: list[str], max_overlap: int,
             adaptive: bool = True) -> tuple[str, list[WorkerClient]]:
    """A project whose first tasks were labelled at a fixed overlap of 4 by two careful
    workers and two who say "pos" to everything, then switched to adaptive overlap (or to
    a fixed overlap of ``max_overlap``)."""
    project = categorize_project(org, quality={"overlap": 4})
    pid = project["id"]
    org.client.create_tasks(pid, [{"data": {"text": f"h{i}", "truth": truth}}
                                  for i, truth in enumerate(truths)])
    careful = [_worker(org), _worker(org)]
    eager = [_worker(org), _worker(org)]
    for worker in careful:
        assert _answer_all(worker, pid, lambda data: data["truth"]) == len(truths)
    for worker in eager:
        assert _answer_all(worker, pid, "pos") == len(truths)
    if adaptive:
        org.client.update_project(pid, quality={"overlap": 1, "target_confidence": 0.9,
                                                "max_overlap": max_overlap})
    else:
        org.client.update_project(pid, quality={"overlap": max_overlap})
    return pid, careful + eager


def test_tasks_settled_by_two_eager_workers_reopen_after_the_refit(org: Org) -> None:
    truths = ["pos", "neg", "neu"] * 5
    pid, (careful, _, eager1, eager2) = _history(org, truths, max_overlap=4)
    org.client.create_tasks(pid, [{"data": {"text": f"x{i}", "truth": "neg"}}
                                  for i in range(3)])
    for worker in (eager1, eager2):
        assert _answer_all(worker, pid, "pos") == 3
    before = _tasks(org, pid)
    for i in range(3):  # one-coin before the first refit: two agreeing answers settle it
        result = before[f"x{i}"]["result"]
        assert before[f"x{i}"]["status"] == "completed"
        assert result["answer"] == {"label": "pos"} and result["confidence"] >= 0.9
        assert result["method"] == "one_coin_posterior"

    org.db.write(partial(refit_project, org_id=org.org_id, project_id=pid))

    after = _tasks(org, pid)
    for i in range(3):
        task = after[f"x{i}"]
        assert task["status"] == "pending" and task["result"] is None, task
    with org.db.read() as session:
        asks = set(session.execute(select(Task.n_responses, Task.overlap).where(
            Task.project_id == pid, Task.id.in_([after[f"x{i}"]["id"] for i in range(3)]))))
    assert asks == {(2, 3)}  # two answers in, one more wanted
    for i in range(len(truths)):  # fixed-overlap results are not the rule's to judge
        assert after[f"h{i}"]["status"] == "completed"
        assert after[f"h{i}"]["result"] == before[f"h{i}"]["result"]
    # A careful worker now settles them, with the refit's confusion model.
    assert _answer_all(careful, pid, lambda data: data["truth"]) == 3
    final = _tasks(org, pid)
    for i in range(3):
        result = final[f"x{i}"]["result"]
        assert final[f"x{i}"]["status"] == "completed"
        assert result["answer"] == {"label": "neg"} and result["n_responses"] == 3
        assert result["method"] == "confusion_posterior" and result["confidence"] >= 0.9


def test_a_task_at_max_overlap_is_relabelled_and_flagged_for_review(org: Org) -> None:
    truths = ["neg"] * 12 + ["pos"] * 3  # "neg" is the common class
    pid, (_, _, eager1, eager2) = _history(org, truths, max_overlap=2)
    org.client.create_task(pid, {"text": "y", "truth": "neg"})
    for worker in (eager1, eager2):
        assert _answer_all(worker, pid, "pos") == 1
    assert _tasks(org, pid)["y"]["result"]["answer"] == {"label": "pos"}

    org.db.write(partial(refit_project, org_id=org.org_id, project_id=pid))

    task = _tasks(org, pid)["y"]
    # Two answers that say nothing: the class prior decides, and a reviewer should look.
    assert task["status"] == "completed" and task["review_status"] == "pending"
    assert task["result"]["answer"] == {"label": "neg"}
    assert task["result"]["method"] == "confusion_posterior"
    assert task["result"]["confidence"] < 0.9 and task["result"]["n_responses"] == 2


def test_tasks_in_review_are_never_reopened_and_a_held_one_is_left_alone(org: Org) -> None:
    truths = ["neg"] * 12 + ["pos"] * 3
    pid, (_, _, eager1, eager2) = _history(org, truths, max_overlap=4)
    org.client.create_tasks(pid, [{"data": {"text": name, "truth": "neg"}}
                                  for name in ("waiting", "held", "accepted", "free")])
    for worker in (eager1, eager2):
        assert _answer_all(worker, pid, "pos") == 4
    before = _tasks(org, pid)

    def review(session: Any) -> None:
        for name, status in (("waiting", "pending"), ("held", "pending"),
                             ("accepted", "accepted")):
            task = session.get_one(Task, before[name]["id"])
            task.review_status = status
            if name == "held":
                task.review_holder = "wrk_reviewer"
                task.review_until = utcnow() + timedelta(hours=1)
    org.db.write(review)
    org.db.write(partial(refit_project, org_id=org.org_id, project_id=pid))

    after = _tasks(org, pid)
    assert after["free"]["status"] == "pending"  # outside review: reopened for more answers
    # Waiting for review: not reopened, but its interim result follows the new model.
    assert after["waiting"]["status"] == "completed"
    assert after["waiting"]["review_status"] == "pending"
    assert after["waiting"]["result"]["answer"] == {"label": "neg"}
    for name in ("held", "accepted"):
        assert after[name]["status"] == "completed"
        assert after[name]["result"] == before[name]["result"]
        assert after[name]["review_status"] == ("pending" if name == "held" else "accepted")


def test_fixed_overlap_results_take_the_dawid_skene_label_where_it_differs(org: Org) -> None:
    truths = ["pos", "neg", "neu"] * 5
    pid, (careful, _, eager1, eager2) = _history(org, truths, max_overlap=3, adaptive=False)
    org.client.create_tasks(pid, [{"data": {"text": f"y{i}", "truth": "neg"}}
                                  for i in range(3)])
    for worker in (eager1, eager2):
        assert _answer_all(worker, pid, "pos") == 3
    assert _answer_all(careful, pid, "neg") == 3
    before = _tasks(org, pid)
    for i in range(3):  # two "pos" from the eager pair outvote the careful "neg"
        assert before[f"y{i}"]["result"] == {"answer": {"label": "pos"},
                                             "confidence": pytest.approx(2 / 3),
                                             "method": "plurality", "n_responses": 3}

    org.db.write(partial(refit_project, org_id=org.org_id, project_id=pid))

    after = _tasks(org, pid)
    for i in range(3):
        result = after[f"y{i}"]["result"]
        assert after[f"y{i}"]["status"] == "completed"
        assert result["answer"] == {"label": "neg"} and result["method"] == "dawid_skene"
        assert 0.5 < result["confidence"] <= 1.0 and result["n_responses"] == 3
    for i, truth in enumerate(truths):
        if truth == "pos":  # everyone said "pos": plurality and Dawid-Skene agree, no write
            assert after[f"h{i}"]["result"] == before[f"h{i}"]["result"]
            assert after[f"h{i}"]["updated_at"] == before[f"h{i}"]["updated_at"]


def test_a_lone_answer_at_a_fixed_overlap_of_one_stays_the_result(org: Org) -> None:
    truths = ["neg"] * 12 + ["pos"] * 3  # Dawid-Skene would call an eager "pos" a "neg"
    pid, (_, _, eager1, _) = _history(org, truths, max_overlap=1, adaptive=False)
    org.client.create_task(pid, {"text": "z", "truth": "neg"})
    assert _answer_all(eager1, pid, "pos") == 1
    before = _tasks(org, pid)["z"]
    org.db.write(partial(refit_project, org_id=org.org_id, project_id=pid))
    after = _tasks(org, pid)["z"]
    assert after["result"] == before["result"] and after["result"]["method"] == "plurality"


def test_a_fit_on_too_little_never_overrules_the_workers(org: Org) -> None:
    """On one task, Dawid-Skene is near uniform and may pick a label nobody gave."""
    project = categorize_project(org, quality={"overlap": 3})
    org.client.create_task(project["id"], {"text": "great"})
    for label in ("pos", "neg", "pos"):
        assert _answer_all(_worker(org), project["id"], label) == 1
    [before] = _tasks(org, project["id"]).values()
    org.db.write(partial(refit_project, org_id=org.org_id, project_id=project["id"]))
    [after] = _tasks(org, project["id"]).values()
    assert after["result"] == before["result"]
    assert after["result"]["answer"] == {"label": "pos"}


def test_an_older_snapshot_is_not_applied_over_a_newer_one(org: Org) -> None:
    """Two servers refit the same project: the one whose fit saw fewer answers and writes
    last changes nothing."""
    truths = ["pos", "neg", "neu"] * 5
    pid, (_, _, eager1, eager2) = _history(org, truths, max_overlap=4)
    with org.db.read() as session:
        older = prepare_refit(session, org.org_id, pid)
    org.client.create_task(pid, {"text": "late", "truth": "neg"})
    for worker in (eager1, eager2):
        assert _answer_all(worker, pid, "pos") == 1
    with org.db.read() as session:
        newer = prepare_refit(session, org.org_id, pid)
    assert older is not None and newer is not None and older.newest < newer.newest
    assert org.db.write(partial(refit_project, org_id=org.org_id, project_id=pid,
                                prepared=newer)) > 0
    late = _tasks(org, pid)["late"]
    assert late["status"] == "pending"  # the newer fit reopened it
    assert org.db.write(partial(refit_project, org_id=org.org_id, project_id=pid,
                                prepared=older)) == 0
    with org.db.read() as session:
        assert session.get_one(Project, pid).refit_marker == newer.newest


def test_a_project_can_keep_completion_final(org: Org) -> None:
    truths = ["pos", "neg", "neu"] * 5
    pid, (_, _, eager1, eager2) = _history(org, truths, max_overlap=4)
    assert org.client.get_project(pid)["quality"]["resettle"] is True
    org.client.update_project(pid, quality={"resettle": False})
    org.client.create_task(pid, {"text": "w", "truth": "neg"})
    for worker in (eager1, eager2):
        assert _answer_all(worker, pid, "pos") == 1
    w = _tasks(org, pid)["w"]
    org.db.write(partial(refit_project, org_id=org.org_id, project_id=pid))
    again = _tasks(org, pid)["w"]
    assert again["status"] == "completed" and again["result"] == w["result"]


def test_refits_running_while_workers_answer_leave_every_task_consistent(
        org: Org, caplog: pytest.LogCaptureFixture) -> None:
    """Real threads: six workers answer an adaptive project while refits (which reopen and
    relabel) run back to back. No request fails, no refit fails, and every task's counters
    and result agree with its answers."""
    truths = ["pos", "neg", "neu"] * 5
    pid, history_workers = _history(org, truths, max_overlap=5)
    n_tasks = 60
    org.client.create_tasks(pid, [{"data": {"text": f"c{i}", "truth": LABELS[i % 3]}}
                                  for i in range(n_tasks)])
    workers = [*history_workers, _worker(org), _worker(org)]
    accuracy = [0.95, 0.9, 0.0, 0.0, 0.8, 0.85]  # the two history "pos" workers stay eager
    errors: list[BaseException] = []
    refits = 0
    done = threading.Event()
    caplog.set_level("INFO", logger="assay.quality")

    def answer(i: int) -> None:
        rng = random.Random(i)
        try:
            while (offer := workers[i].next(pid)) is not None:
                truth = offer["data"]["truth"]
                if accuracy[i] == 0.0:
                    given = "pos"
                elif rng.random() < accuracy[i]:
                    given = truth
                else:
                    given = rng.choice([x for x in LABELS if x != truth])
                workers[i].submit(offer["assignment_id"], {"label": given})
        except Forbidden as exc:  # a refit may pause the workers who always say "pos"
            if accuracy[i] != 0.0 or exc.code != "worker_paused":
                errors.append(exc)
        except BaseException as exc:
            errors.append(exc)

    def refit_loop() -> None:
        nonlocal refits
        try:
            while not done.is_set():
                # As the server does: the fit on a snapshot, then the write, which must
                # cope with answers that came in between.
                with org.db.read() as session:
                    prepared = prepare_refit(session, org.org_id, pid)
                org.db.write(partial(refit_project, org_id=org.org_id, project_id=pid,
                                     prepared=prepared))
                refits += 1
        except BaseException as exc:
            errors.append(exc)

    for worker in workers[2:4]:  # before any refit, the eager pair settles a few tasks
        for _ in range(6):
            offer = worker.next(pid)
            assert offer is not None
            worker.submit(offer["assignment_id"], {"label": "pos"})
    threads = [threading.Thread(target=answer, args=(i,)) for i in range(len(workers))]
    refitter = threading.Thread(target=refit_loop)
    refitter.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    done.set()
    refitter.join(timeout=300)
    assert not errors, errors
    assert refits >= 2
    # The refits did settle tasks again while the answers came in.
    assert any("reopened" in r.getMessage() for r in caplog.records), refits
    org.db.write(partial(refit_project, org_id=org.org_id, project_id=pid))

    with org.db.read() as session:
        counted = dict(session.execute(
            select(Response.task_id, func.count()).where(Response.project_id == pid,
                                                         Response.counts)
            .group_by(Response.task_id)).all())
        tasks = session.scalars(select(Task).where(Task.project_id == pid,
                                                   Task.purpose == "live")).all()
    assert len(tasks) == len(truths) + n_tasks
    for task in tasks:
        assert task.n_responses == counted.get(task.id, 0), task.id
        if task.status == "completed":
            assert task.result is not None and task.completed_at is not None
            assert task.result["n_responses"] == task.n_responses
        else:  # waiting for an answer no worker left can give
            assert task.status == "pending" and task.result is None
            assert task.n_responses < task.overlap
