"""Calls to model endpoints over real HTTP against the stand-in: whole and streamed replies,
retries after 429/500, refusals, deadlines, a down server, the concurrency limit, and the
record of every call (tokens, latency, cost)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assay.clock import utcnow
from assay.db.engine import Database
from assay.models import calls
from assay.models.schemas import ModelTestDoc, ModelUsageDoc
from assay.models.standin import StandIn, count_tokens, prompt_tokens, reply_for
from tests.support import Org, free_port

API_KEY = "sk-standin-key-42"
FAST = {"backoff_s": 0.05}
HELLO = [{"role": "user", "content": "hello"}]


@pytest.fixture(scope="module")
def keyed_standin() -> Iterator[StandIn]:
    """A stand-in that wants an API key, as a hosted endpoint does."""
    with StandIn(api_key=API_KEY) as standin:
        yield standin


def _model(org: Org, standin: StandIn, name: str, model: str = "echo",
           **body: Any) -> dict[str, Any]:
    with org.http() as http:
        made = http.post("/v1/models", json={"name": name, "base_url": standin.base_url,
                                             "model": model, "api_key": API_KEY, **body})
    assert made.status_code == 201, made.text
    return dict(made.json())


def _usage(org: Org, model_id: str, **params: str) -> dict[str, Any]:
    with org.http() as http:
        answer = http.get(f"/v1/models/{model_id}/usage", params=params)
    assert answer.status_code == 200, answer.text
    ModelUsageDoc.model_validate(answer.json())
    return dict(answer.json())


def test_a_whole_reply_with_its_tokens(org: Org, keyed_standin: StandIn) -> None:
    model = _model(org, keyed_standin, "whole")
    messages = [{"role": "system", "content": "be brief"},
                {"role": "user", "content": "name three colours"}]
    keyed_standin.reset()
    with org.http() as http:
        answer = http.post(f"/v1/models/{model['id']}/test", json={"messages": messages})
    assert answer.status_code == 200, answer.text
    ModelTestDoc.model_validate(answer.json())
    reply = reply_for(messages)
    assert answer.json()["content"] == reply
    assert answer.json()["prompt_tokens"] == prompt_tokens(messages)
    assert answer.json()["completion_tokens"] == count_tokens(reply)
    assert answer.json()["tokens_estimated"] is False and answer.json()["attempts"] == 1
    # The key went to the server, opened, and nowhere else.
    assert keyed_standin.authorizations == [f"Bearer {API_KEY}"]
    usage = _usage(org, model["id"])
    assert usage["calls"] == 1 and usage["errors"] == 0
    assert usage["prompt_tokens"] == prompt_tokens(messages)
    with org.http() as http:  # the call is on the organization's audit log
        audit = http.get("/v1/audit", params={"action": "model.test"}).json()["docs"]
    assert model["id"] in [d["object"] for d in audit]
    assert usage["latency_ms"]["p50"] is not None and usage["cost"] is None


def test_a_streamed_reply_is_the_same_reply(org: Org, keyed_standin: StandIn) -> None:
    model = _model(org, keyed_standin, "streamed")
    with org.http() as http:
        answer = http.post(f"/v1/models/{model['id']}/test", params={"stream": "true"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["content"] == reply_for(HELLO)
    assert answer.json()["completion_tokens"] == count_tokens(reply_for(HELLO))
    assert answer.json()["tokens_estimated"] is False


def test_streamed_deltas_arrive_one_by_one(db: Database, org: Org,
                                           keyed_standin: StandIn) -> None:
    model = _model(org, keyed_standin, "deltas")
    reply = calls.Stream(db, calls.Target(org.org_id, model["id"]), HELLO,
                         allowed=("127.0.0.1",), now=utcnow)
    deltas = list(reply)
    assert len(deltas) == len(reply_for(HELLO).split(" "))
    assert "".join(deltas) == reply_for(HELLO) == reply.outcome.content
    assert _usage(org, model["id"])["calls"] == 1


def test_params_reach_the_server_and_extra_cannot_replace_assays_fields(
        org: Org, keyed_standin: StandIn) -> None:
    """``extra`` is sent as it is, but a ``model``, ``stream`` or ``messages`` in it would
    turn the request into another (a refusal, a stream): Assay's own win."""
    model = _model(org, keyed_standin, "extras", params={
        "temperature": 0.1, "extra": {"seed": 4, "model": "refuse", "stream": True,
                                      "messages": []}})
    with org.http() as http:
        answer = http.post(f"/v1/models/{model['id']}/test")
    assert answer.status_code == 200, answer.text
    assert answer.json()["content"] == reply_for(HELLO, seed=4)


def test_a_server_without_usage_gets_estimated_tokens(org: Org,
                                                      keyed_standin: StandIn) -> None:
    model = _model(org, keyed_standin, "no-usage", model="nousage")
    with org.http() as http:
        for stream in ("false", "true"):
            answer = http.post(f"/v1/models/{model['id']}/test", params={"stream": stream})
            assert answer.status_code == 200, answer.text
            assert answer.json()["tokens_estimated"] is True
            assert answer.json()["completion_tokens"] > 0
    assert _usage(org, model["id"])["estimated_calls"] == 2


@pytest.mark.parametrize("status", [500, 429, 503])
def test_failures_are_retried_until_the_model_answers(org: Org, keyed_standin: StandIn,
                                                      status: int) -> None:
    model = _model(org, keyed_standin, f"flaky-{status}", model=f"fail-{status}x2#{status}",
                   params=FAST)
    with org.http() as http:
        for stream in ("false", "true"):
            if stream == "true":
                http.patch(f"/v1/models/{model['id']}",
                           json={"model": f"fail-{status}x2#{status}-stream"})
            answer = http.post(f"/v1/models/{model['id']}/test", params={"stream": stream})
            assert answer.status_code == 200, answer.text
            assert answer.json()["attempts"] == 3


def _assert_error(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    assert "retry-after" not in answer.headers


def test_a_refusal_is_a_model_error_and_is_not_retried(org: Org,
                                                        keyed_standin: StandIn) -> None:
    model = _model(org, keyed_standin, "refuser", model="refuse", params=FAST)
    keyed_standin.reset()
    with org.http() as http:
        _assert_error(http.post(f"/v1/models/{model['id']}/test"), 502, "model_error")
        _assert_error(http.post(f"/v1/models/{model['id']}/test", params={"stream": "true"}),
                      502, "model_error")
    assert keyed_standin.requests == 2
    usage = _usage(org, model["id"])
    assert usage["calls"] == 2 and usage["errors"] == 2
    assert usage["latency_ms"] == {"p50": None, "p99": None}


def test_a_model_that_keeps_failing_is_a_model_error(org: Org,
                                                     keyed_standin: StandIn) -> None:
    model = _model(org, keyed_standin, "broken", model="fail-500x100#broken",
                   params={**FAST, "max_retries": 2})
    with org.http() as http:
        answer = http.post(f"/v1/models/{model['id']}/test")
    _assert_error(answer, 502, "model_error")
    assert answer.json()["error"]["details"] == {"upstream_status": 500}


def test_a_wrong_key_is_a_model_error(org: Org, keyed_standin: StandIn) -> None:
    model = _model(org, keyed_standin, "wrong-key", api_key="sk-wrong")
    with org.http() as http:
        answer = http.post(f"/v1/models/{model['id']}/test")
    _assert_error(answer, 502, "model_error")
    assert answer.json()["error"]["details"] == {"upstream_status": 401}


def test_a_slow_model_times_out_within_its_deadline(org: Org,
                                                    keyed_standin: StandIn) -> None:
    model = _model(org, keyed_standin, "sloth", model="slow-8", params={"timeout_s": 1})
    dripping = _model(org, keyed_standin, "drip", model="drip-0.4",
                      params={"timeout_s": 1})
    with org.http() as http:
        for model_id, stream in ((model["id"], "false"), (model["id"], "true"),
                                 (dripping["id"], "true")):
            started = time.monotonic()
            answer = http.post(f"/v1/models/{model_id}/test", params={"stream": stream})
            elapsed = time.monotonic() - started
            _assert_error(answer, 504, "model_timeout")
            assert elapsed < 3.0, (model_id, stream, elapsed)  # 3x the 1 s deadline
    assert _usage(org, model["id"])["timeouts"] == 2
    assert _usage(org, dripping["id"])["timeouts"] == 1


def test_a_down_server_is_a_model_error(org: Org) -> None:
    with org.http() as http:
        made = http.post("/v1/models", json={
            "name": "down", "base_url": f"http://127.0.0.1:{free_port()}/v1", "model": "m",
            "params": {**FAST, "timeout_s": 10}}).json()
        answer = http.post(f"/v1/models/{made['id']}/test")
        _assert_error(answer, 502, "model_error")
        assert "could not be reached" in answer.json()["error"]["message"]
        # Nothing but the call's record was written: the model is as it was.
        assert http.get(f"/v1/models/{made['id']}").json() == made
    usage = _usage(org, made["id"])
    assert usage["calls"] == 1 and usage["errors"] == 1 and usage["completion_tokens"] == 0


def test_twenty_callers_never_exceed_the_concurrency_limit(org: Org,
                                                           model_standin: StandIn) -> None:
    made = _model(org, model_standin, "limited", model="slow-0.3#limited",
                  params={"max_concurrency": 3})
    requests = model_standin.requests
    results: list[int] = []
    start = threading.Barrier(20)

    def caller() -> None:
        with org.http() as http:
            start.wait()
            results.append(http.post(f"/v1/models/{made['id']}/test").status_code)

    threads = [threading.Thread(target=caller) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 20
    assert model_standin.requests == requests + 20
    assert model_standin.max_in_flight_of("slow-0.3#limited") == 3  # reached, never passed


def test_cost_and_usage_per_project(db: Database, org: Org, keyed_standin: StandIn) -> None:
    model = _model(org, keyed_standin, "priced",
                   prices={"input": "1.50", "output": "2.00", "currency": "EUR"})
    target = calls.Target(org.org_id, model["id"], "prj_00000000000000000000000c")
    outcomes = [calls.chat(db, target, [{"role": "user", "content": f"question {i}"}],
                           allowed=("127.0.0.1",), now=utcnow) for i in range(3)]
    with org.http() as http:
        assert http.post(f"/v1/models/{model['id']}/test").status_code == 200
    pt = sum(o.prompt_tokens for o in outcomes)
    ct = sum(o.completion_tokens for o in outcomes)
    in_project = _usage(org, model["id"], project=target.project_id or "")
    assert in_project["calls"] == 3 and in_project["project"] == target.project_id
    assert (in_project["prompt_tokens"], in_project["completion_tokens"]) == (pt, ct)
    expected = (pt * 1_500_000 + ct * 2_000_000) / 10**12
    assert float(in_project["cost"]) == pytest.approx(expected, rel=0, abs=1e-15)
    assert in_project["currency"] == "EUR"
    everywhere = _usage(org, model["id"])
    assert everywhere["calls"] == 4 and float(everywhere["cost"]) > float(in_project["cost"])
    assert _usage(org, model["id"], project="prj_00000000000000000000000d")["calls"] == 0
