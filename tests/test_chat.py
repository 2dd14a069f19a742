"""The ``chat`` kind through a real server, on SQLite and PostgreSQL, against the model
stand-in: a turn's candidates generated once (also when requests race), streamed as
server-sent events, kept and shown again; a failing model stores nothing; answers may only
rank what was offered; the conversation continues from the chosen reply up to
``max_turns``; the result orders the models; no model name ever reaches a worker."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest

from assay.client import AssayAPIError, WorkerClient
from assay.models.standin import StandIn, reply_for
from tests.support import Org

# Names a worker must never see (long and odd, so that a scan cannot match by chance).
ALPHA = "alpha-secret-model-7f3a"
BETA = "beta-secret-model-91c2"
SYSTEM = {"role": "system", "content": "be brief"}


def _model(org: Org, standin: StandIn, name: str, mode: str = "echo",
           **params: Any) -> str:
    with org.http() as http:
        made = http.post("/v1/models", json={"name": name, "base_url": standin.base_url,
                                             "model": mode,
                                             "params": {"backoff_s": 0.05, **params}})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _project(org: Org, models: list[str], **params: Any) -> str:
    body = {"name": f"chat-{uuid.uuid4().hex[:6]}", "kind": "chat",
            "params": {"models": models, **params}, "quality": {"overlap": 1}}
    with org.http() as http:
        made = http.post("/v1/projects", json=body)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _task(org: Org, project: str, data: dict[str, Any]) -> str:
    with org.http() as http:
        made = http.post("/v1/tasks", json={"project": project, "data": data})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _task_object(org: Org, task: str) -> dict[str, Any]:
    with org.http() as http:
        return dict(http.get(f"/v1/tasks/{task}").json())


def _models(org: Org, standin: StandIn, tag: str) -> tuple[str, str]:
    return (_model(org, standin, f"{ALPHA}-{tag}", seed=1),
            _model(org, standin, f"{BETA}-{tag}", seed=2))


def _visible(*texts: str) -> None:
    for text in texts:
        assert ALPHA not in text and BETA not in text, text


def test_a_turn_streams_then_reads_back_the_same_and_the_result_orders_models(
        org: Org, model_standin: StandIn) -> None:
    alpha, beta = _models(org, model_standin, "one")
    project = _project(org, [alpha, beta])
    messages = [SYSTEM, {"role": "user", "content": "name a colour"}]
    task = _task(org, project, {"messages": messages})
    worker = org.worker()
    offer = worker.next(project)
    assert offer is not None and offer["kind"] == "chat"
    assert offer["data"] == {"messages": messages}
    model_standin.reset()
    events = list(worker.stream_generate(offer["assignment_id"]))
    kinds = [e for e, _ in events]
    assert kinds[-1] == "done" and set(kinds[:-1]) == {"delta"}
    done = events[-1][1]
    assert done["turn"] == 0 and len(done["candidates"]) == 2
    contents = sorted(c["content"] for c in done["candidates"])
    assert contents == sorted([reply_for(messages, 1), reply_for(messages, 2)])
    for candidate in done["candidates"]:  # the deltas add up to each reply
        streamed = "".join(d["delta"] for e, d in events
                           if e == "delta" and d["candidate"] == candidate["id"])
        assert streamed == candidate["content"]
    assert model_standin.requests == 2
    with org.http() as http:  # each call is on the model's record, for this project
        usage = [http.get(f"/v1/models/{m}/usage", params={"project": project}).json()
                 for m in (alpha, beta)]
    assert [(u["calls"], u["errors"]) for u in usage] == [(1, 0), (1, 0)]
    again = worker.generate(offer["assignment_id"])
    assert again == done  # a reload: the same candidates in the same order, no new call
    assert model_standin.requests == 2
    _visible(str(offer), str(events), str(again))
    by_content = {c["content"]: c["id"] for c in done["candidates"]}
    best = by_content[reply_for(messages, 2)]
    other = by_content[reply_for(messages, 1)]
    worker.submit(offer["assignment_id"], {"turns": [{
        "candidates": [best, other], "ranking": [[best], [other]], "ideal": "Blue."}]})
    result = _task_object(org, task)["result"]
    assert result["method"] == "bradley_terry" and result["n_responses"] == 1
    assert result["answer"] == {"turns": [{"order": [f"{BETA}-one", f"{ALPHA}-one"],
                                           "scores": {}, "ideal": "Blue."}]}
    assert result["confidence"] == pytest.approx(0.75)
    # The export compiles the stored candidates: the conversation they answered, the
    # chosen reply and the rejected one.
    with org.http() as http:
        exported = http.get(f"/v1/projects/{project}/export", params={"format": "dpo"})
    assert exported.status_code == 200, exported.text
    rows = [json.loads(line) for line in exported.text.splitlines() if line.strip()]
    pairs = {(r["chosen"][0]["content"], r["rejected"][0]["content"]) for r in rows}
    assert all(r["prompt"] == messages for r in rows)
    assert pairs == {("Blue.", reply_for(messages, 2)), ("Blue.", reply_for(messages, 1)),
                     (reply_for(messages, 2), reply_for(messages, 1))}
    _visible(exported.text)  # dpo rows carry no model name either
    # Erasing the task erases its turns: the replies and what the worker wrote.
    with org.http() as http:
        assert http.delete(f"/v1/tasks/{task}").status_code in (200, 204)
    assert _count_generations(org, task) == 0


def test_racing_requests_call_each_model_once_and_see_the_same_turn(
        org: Org, model_standin: StandIn) -> None:
    alpha = _model(org, model_standin, f"{ALPHA}-race", mode="slow-0.4#race", seed=1)
    beta = _model(org, model_standin, f"{BETA}-race", mode="slow-0.4#race", seed=2)
    project = _project(org, [alpha, beta], candidates=3)
    with org.http() as http:
        http.patch(f"/v1/projects/{project}", json={"quality": {"overlap": 4}})
    _task(org, project, {"messages": [{"role": "user", "content": "race"}]})
    workers = [org.worker() for _ in range(4)]
    offers = [w.next(project) for w in workers]
    model_standin.reset()
    seen: list[Any] = []
    start = threading.Barrier(6)

    def ask(worker: WorkerClient, assignment: str) -> None:
        start.wait()
        seen.append(worker.generate(assignment))

    # Four workers of the task, and two of them twice, at once.
    threads = [threading.Thread(target=ask, args=(w, o["assignment_id"]))
               for w, o in [*zip(workers, offers, strict=True), (workers[0], offers[0]),
                            (workers[1], offers[1])] if o is not None]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 6
    assert model_standin.requests == 3  # one call per candidate, whoever asked
    ids = {frozenset(c["id"] for c in turn["candidates"]) for turn in seen}
    assert len(ids) == 1 and len(next(iter(ids))) == 3


def test_a_failing_model_is_a_clear_error_and_stores_nothing(
        org: Org, model_standin: StandIn) -> None:
    good = _model(org, model_standin, f"{ALPHA}-fails", seed=1)
    bad = _model(org, model_standin, f"{BETA}-fails", mode="refuse")
    project = _project(org, [good, bad])
    task = _task(org, project, {"messages": [{"role": "user", "content": "fail"}]})
    worker = org.worker()
    offer = worker.next(project)
    assert offer is not None
    http = worker._http  # the raw answers, as a page would see them
    plain = http.post(f"/v1/work/{offer['assignment_id']}/generate", json={})
    streamed = http.post(f"/v1/work/{offer['assignment_id']}/generate", json={},
                         headers={"Accept": "text/event-stream"})
    assert plain.status_code == 502 and plain.json()["error"]["code"] == "model_error"
    assert streamed.status_code == 200 and "event: error" in streamed.text
    assert "event: done" not in streamed.text
    _visible(plain.text, streamed.text)
    assert _count_generations(org, task) == 0  # nothing of the failed turn was kept
    with org.http() as http:  # but both calls of each try are on record
        usage = [http.get(f"/v1/models/{m}/usage").json() for m in (good, bad)]
    assert [(u["calls"], u["errors"]) for u in usage] == [(2, 0), (2, 2)]
    # The assignment is still open: an answer is refused for what it ranks, not expired.
    with pytest.raises(AssayAPIError) as refused:
        worker.submit(offer["assignment_id"], {"turns": [{
            "candidates": ["cnd_x", "cnd_y"], "ranking": [["cnd_x"], ["cnd_y"]]}]})
    assert refused.value.status == 422


def _count_generations(org: Org, task: str) -> int:
    from sqlalchemy import func, select

    from assay.db.models import Generation

    with org.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Generation)
                                  .where(Generation.task_id == task)) or 0)


def test_fabricated_candidates_are_refused_and_the_assignment_stays_open(
        org: Org, model_standin: StandIn) -> None:
    alpha, beta = _models(org, model_standin, "fab")
    project = _project(org, [alpha, beta])
    _task(org, project, {"messages": [{"role": "user", "content": "fab"}]})
    worker = org.worker()
    offer = worker.next(project)
    assert offer is not None
    turn = worker.generate(offer["assignment_id"])
    real = [c["id"] for c in turn["candidates"]]
    with pytest.raises(AssayAPIError) as refused:
        worker.submit(offer["assignment_id"], {"turns": [{
            "candidates": [real[0], "cnd_made_up"], "ranking": [[real[0]], ["cnd_made_up"]]}]})
    assert refused.value.status == 422
    fields = [f["field"] for f in refused.value.details["fields"]]
    assert fields == ["answer.turns[0].candidates[1]"]
    receipt = worker.submit(offer["assignment_id"], {"turns": [{
        "candidates": real, "ranking": [real]}]})
    assert receipt["status"] == "submitted"


def test_the_conversation_continues_from_the_chosen_reply_up_to_max_turns(
        org: Org, model_standin: StandIn) -> None:
    alpha, beta = _models(org, model_standin, "two")
    project = _project(org, [alpha, beta], max_turns=2)
    task = _task(org, project, {"messages": [SYSTEM]})
    worker = org.worker()
    offer = worker.next(project)
    assert offer is not None
    assignment = offer["assignment_id"]
    with pytest.raises(AssayAPIError) as needs_prompt:
        worker.generate(assignment)
    assert needs_prompt.value.status == 422
    first = worker.generate(assignment, prompt="hello")
    asked = [SYSTEM, {"role": "user", "content": "hello"}]
    assert sorted(c["content"] for c in first["candidates"]) == sorted(
        [reply_for(asked, 1), reply_for(asked, 2)])
    ids = [c["id"] for c in first["candidates"]]
    second = worker.generate(assignment, prompt="and then?", ranking=[[ids[1]], [ids[0]]])
    assert second["turn"] == 1
    chosen = first["candidates"][1]["content"]
    continued = [*asked, {"role": "assistant", "content": chosen},
                 {"role": "user", "content": "and then?"}]
    assert sorted(c["content"] for c in second["candidates"]) == sorted(
        [reply_for(continued, 1), reply_for(continued, 2)])
    with pytest.raises(AssayAPIError) as full:
        worker.generate(assignment, prompt="more", ranking=[[c["id"] for c in
                                                             second["candidates"]]])
    assert full.value.status == 409 and full.value.code == "max_turns_reached"
    ids2 = [c["id"] for c in second["candidates"]]
    # The submitted turns must be the ones the conversation went through.
    with pytest.raises(AssayAPIError) as changed:
        worker.submit(assignment, {"turns": [
            {"prompt": "hello", "candidates": ids, "ranking": [[ids[0]], [ids[1]]]},
            {"prompt": "and then?", "candidates": ids2, "ranking": [ids2]}]})
    assert [f["field"] for f in changed.value.details["fields"]] == [
        "answer.turns[0].ranking"]
    worker.submit(assignment, {"turns": [
        {"prompt": "hello", "candidates": ids, "ranking": [[ids[1]], [ids[0]]]},
        {"prompt": "and then?", "candidates": ids2, "ranking": [ids2], "ideal": "Done."}]})
    task_object = _task_object(org, task)
    assert task_object["status"] == "completed"
    # Every turn was this worker's own: nothing shared to aggregate.
    assert task_object["result"]["method"] == "none"


def test_candidates_given_in_the_data_are_offered_without_a_model_and_gold_matches_by_tau(
        org: Org) -> None:
    project = _project(org, [], candidates=3)
    messages = [{"role": "user", "content": "pick"}]
    given = [{"model": f"{ALPHA}-g", "content": "A"}, {"model": f"{BETA}-g", "content": "B"},
             {"model": "gamma", "content": "C"}]
    with org.http() as http:
        gold = http.post(f"/v1/projects/{project}/gold", json={
            "data": {"messages": messages, "candidates": given},
            "answer": {"turns": [{"candidates": [f"{ALPHA}-g", f"{BETA}-g", "gamma"],
                                  "ranking": [[f"{ALPHA}-g"], [f"{BETA}-g"], ["gamma"]]}]}})
        assert gold.status_code == 201, gold.text
        http.patch(f"/v1/projects/{project}", json={"quality": {"gold_rate": 1.0}})
    for _ in range(2):  # gold is drawn in place of live work
        _task(org, project, {"messages": messages, "candidates": given})
    worker = org.worker()
    offer = worker.next(project)
    assert offer is not None
    _visible(str(offer))
    turn = worker.generate(offer["assignment_id"])
    _visible(str(turn))
    by_content = {c["content"]: c["id"] for c in turn["candidates"]}
    assert set(by_content) == {"A", "B", "C"}
    # B and A swapped: tau = 1/3 < 0.6, wrong; the order kept: right.
    a, b, c = by_content["A"], by_content["B"], by_content["C"]
    worker.submit(offer["assignment_id"], {"turns": [{
        "candidates": [a, b, c], "ranking": [[b], [a], [c]]}]})
    assert _correct(org, offer["assignment_id"]) is False
    second = org.worker()
    offer = second.next(project)
    assert offer is not None
    turn = second.generate(offer["assignment_id"])
    by_content = {c["content"]: c["id"] for c in turn["candidates"]}
    a, b, c = by_content["A"], by_content["B"], by_content["C"]
    second.submit(offer["assignment_id"], {"turns": [{
        "candidates": [a, b, c], "ranking": [[a], [b, c]]}]})  # tau-b 0.816: right
    assert _correct(org, offer["assignment_id"]) is True


def _correct(org: Org, assignment: str) -> bool | None:
    from sqlalchemy import select

    from assay.db.models import Response

    with org.db.read() as session:
        return session.scalar(select(Response.correct)
                              .where(Response.assignment_id == assignment))


def test_twenty_workers_generating_at_once_stay_within_the_concurrency_limit(
        org: Org, model_standin: StandIn) -> None:
    mode = f"slow-0.1#limit-{uuid.uuid4().hex[:6]}"
    limited = _model(org, model_standin, f"{ALPHA}-limit", mode=mode, max_concurrency=3)
    project = _project(org, [limited])
    for i in range(20):
        _task(org, project, {"messages": [{"role": "user", "content": f"question {i}"}]})
    workers = [org.worker() for _ in range(20)]
    offers = [w.next(project) for w in workers]
    turns: list[Any] = []
    start = threading.Barrier(20)

    def ask(worker: WorkerClient, assignment: str) -> None:
        start.wait()
        turns.append(worker.generate(assignment))

    threads = [threading.Thread(target=ask, args=(w, o["assignment_id"]))
               for w, o in zip(workers, offers, strict=True) if o is not None]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(turns) == 20 and all(len(t["candidates"]) == 2 for t in turns)
    assert 1 < model_standin.max_in_flight_of(mode) <= 3


def test_a_slow_model_is_a_timeout_within_its_deadline_and_a_down_one_an_error(
        org: Org, model_standin: StandIn) -> None:
    slow = _model(org, model_standin, f"{ALPHA}-slow", mode="slow-5", timeout_s=0.5)
    with org.http() as http:
        down = http.post("/v1/models", json={
            "name": f"{BETA}-down", "base_url": f"http://127.0.0.1:{_closed_port()}/v1",
            "model": "x", "params": {"max_retries": 0, "timeout_s": 2}}).json()["id"]
    for model, status, code in [(slow, 504, "model_timeout"), (down, 502, "model_error")]:
        project = _project(org, [model], candidates=1)
        task = _task(org, project, {"messages": [{"role": "user", "content": "slow?"}]})
        worker = org.worker()
        offer = worker.next(project)
        assert offer is not None
        with pytest.raises(AssayAPIError) as failed:
            worker.generate(offer["assignment_id"])
        assert (failed.value.status, failed.value.code) == (status, code)
        _visible(failed.value.message, str(failed.value.details))
        assert _count_generations(org, task) == 0


def _closed_port() -> int:
    from tests.support import free_port

    return free_port()  # nothing listens there


def test_adaptive_overlap_settles_a_shared_turn_on_the_ranking_fit(
        org: Org, model_standin: StandIn) -> None:
    alpha, beta = _models(org, model_standin, "adaptive")
    project = _project(org, [alpha, beta])
    with org.http() as http:
        http.patch(f"/v1/projects/{project}", json={"quality": {
            "overlap": 1, "max_overlap": 4, "target_confidence": 0.8}})
    task = _task(org, project, {"messages": [{"role": "user", "content": "adapt"}]})

    def answer(first: bool) -> None:
        worker = org.worker()
        offer = worker.next(project)
        assert offer is not None
        ids = sorted(c["id"] for c in worker.generate(offer["assignment_id"])["candidates"])
        order = ids if first else ids[::-1]
        worker.submit(offer["assignment_id"], {"turns": [{
            "candidates": ids, "ranking": [[order[0]], [order[1]]]}]})

    answer(True)  # one ranking agrees only with itself: one more worker is asked
    assert _task_object(org, task)["status"] == "pending"
    answer(False)  # they disagree: P = 1.5 / 3
    assert _task_object(org, task)["status"] == "pending"
    answer(True)  # two of three: 2.5 / 4 < 0.8, and one more
    assert _task_object(org, task)["status"] == "pending"
    answer(True)  # three of four: 3.5 / 5 = 0.7 at max_overlap: completes for review
    done = _task_object(org, task)
    assert done["status"] == "completed" and done["review_status"] == "pending"
    assert done["result"]["confidence"] == pytest.approx(0.7)
    assert done["result"]["n_responses"] == 4
    # The reviewer (a worker) sees the order of the replies, never the models' names.
    reviewer = org.worker()
    reviewer_id = reviewer.me()["worker_id"]
    org.client.add_reviewer(project, reviewer_id)
    item = reviewer.next_review(project)
    assert item is not None and item["task_id"] == task
    _visible(json.dumps(item))
    assert item["result"]["answer"]["turns"][0]["order"] == ["model A", "model B"]
    receipt = reviewer.review(task, "accept")
    _visible(json.dumps(receipt))
