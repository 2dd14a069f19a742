"""The model client against the stand-in over real HTTP, without a database: whole and
streamed replies, retries, refusals, deadlines, a down server, the concurrency limit."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from assay.errors import ModelError, ModelTimeout
from assay.models import client
from assay.models.standin import StandIn, count_tokens, prompt_tokens, reply_for
from tests.support import free_port

HELLO = [{"role": "user", "content": "hello"}]
LOOPBACK = ("127.0.0.1",)


def _endpoint(standin: StandIn, model: str, name: str | None = None,
              **options: Any) -> client.Endpoint:
    return client.Endpoint(name or f"mdl_{model}", standin.base_url, model,
                           options=client.CallOptions(**{"backoff_s": 0.05, **options}),
                           allowed_hosts=LOOPBACK)


def test_a_whole_reply_and_its_usage(model_standin: StandIn) -> None:
    outcome = client.chat(_endpoint(model_standin, "echo"), HELLO)
    assert outcome.content == reply_for(HELLO) and outcome.status == "ok"
    assert outcome.prompt_tokens == prompt_tokens(HELLO)
    assert outcome.completion_tokens == count_tokens(reply_for(HELLO))
    assert not outcome.tokens_estimated and outcome.attempts == 1


def test_generation_params_reach_the_server(model_standin: StandIn) -> None:
    endpoint = client.Endpoint("mdl_seeded", model_standin.base_url, "echo",
                               body={"seed": 7, "temperature": 0.2}, allowed_hosts=LOOPBACK)
    assert client.chat(endpoint, HELLO).content == reply_for(HELLO, seed=7)
    assert client.chat(endpoint, HELLO, {"seed": 9}).content == reply_for(HELLO, seed=9)


def test_a_streamed_reply_delta_by_delta(model_standin: StandIn) -> None:
    with client.stream_chat(_endpoint(model_standin, "echo"), HELLO) as stream:
        deltas = list(stream)
    assert len(deltas) > 1 and "".join(deltas) == reply_for(HELLO)
    assert stream.outcome.content == reply_for(HELLO) and stream.finished
    assert stream.outcome.completion_tokens == count_tokens(reply_for(HELLO))
    assert not stream.outcome.tokens_estimated


def test_without_usage_tokens_are_estimated(model_standin: StandIn) -> None:
    outcome = client.chat(_endpoint(model_standin, "nousage"), HELLO)
    assert outcome.tokens_estimated and outcome.completion_tokens > 0
    with client.stream_chat(_endpoint(model_standin, "nousage"), HELLO) as stream:
        assert "".join(stream) == reply_for(HELLO)
    assert stream.outcome.tokens_estimated


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_429_and_5xx_are_retried(model_standin: StandIn, status: int) -> None:
    outcome = client.chat(_endpoint(model_standin, f"fail-{status}x3#client"), HELLO)
    assert outcome.content == reply_for(HELLO) and outcome.attempts == 4
    with client.stream_chat(_endpoint(model_standin, f"fail-{status}x1#stream"),
                            HELLO) as stream:
        assert "".join(stream) == reply_for(HELLO)
    assert stream.outcome.attempts == 2


def test_retries_stop_at_max_retries(model_standin: StandIn) -> None:
    with pytest.raises(ModelError) as caught:
        client.chat(_endpoint(model_standin, "fail-500x9#max", max_retries=2), HELLO)
    outcome = caught.value.outcome  # type: ignore[attr-defined]
    assert outcome.attempts == 3 and outcome.status == "error"
    assert (outcome.prompt_tokens, outcome.completion_tokens) == (0, 0)
    assert caught.value.details == {"upstream_status": 500}


def test_a_retry_after_past_the_deadline_ends_the_call(model_standin: StandIn) -> None:
    """The server asks for 30 s; the deadline is 2 s: no pause is taken, the call ends at
    once with the server's answer rather than sleeping into a timeout."""
    endpoint = _endpoint(model_standin, "fail-503x5+after-30#ra", timeout_s=2)
    started = time.monotonic()
    with pytest.raises(ModelError) as caught:
        client.chat(endpoint, HELLO)
    assert time.monotonic() - started < 6.0  # 3x the deadline
    assert caught.value.outcome.attempts == 1  # type: ignore[attr-defined]
    assert caught.value.details == {"upstream_status": 503}


def test_a_refusal_is_final(model_standin: StandIn) -> None:
    model_standin.reset()
    with pytest.raises(ModelError) as caught:
        client.chat(_endpoint(model_standin, "refuse"), HELLO)
    assert caught.value.status == 502 and caught.value.code == "model_error"
    assert caught.value.details == {"upstream_status": 400}
    assert model_standin.requests == 1


@pytest.mark.parametrize(("model", "stream"), [("slow-5", False), ("slow-5", True),
                                             ("drip-0.4", True)])
def test_the_deadline_bounds_the_call(model_standin: StandIn, model: str,
                                      stream: bool) -> None:
    endpoint = _endpoint(model_standin, model, timeout_s=1)
    started = time.monotonic()
    with pytest.raises(ModelTimeout) as caught:
        if stream:
            with client.stream_chat(endpoint, HELLO) as chat_stream:
                list(chat_stream)
        else:
            client.chat(endpoint, HELLO)
    assert caught.value.status == 504 and caught.value.code == "model_timeout"
    assert caught.value.outcome.status == "timeout"  # type: ignore[attr-defined]
    assert time.monotonic() - started < 3.0  # 3x the deadline


def test_a_down_server_is_a_model_error() -> None:
    endpoint = client.Endpoint("mdl_down", f"http://127.0.0.1:{free_port()}/v1", "m",
                               options=client.CallOptions(backoff_s=0.01, max_retries=2),
                               allowed_hosts=LOOPBACK)
    with pytest.raises(ModelError, match="could not be reached") as caught:
        client.chat(endpoint, HELLO)
    assert caught.value.outcome.attempts == 3  # type: ignore[attr-defined]
def test_the_client_holds_the_limit_across_threads(model_standin: StandIn) -> None:
    endpoint = client.Endpoint("mdl_threads", model_standin.base_url, "slow-0.2#threads",
                               options=client.CallOptions(max_concurrency=4),
                               allowed_hosts=("127.0.0.1",))
    errors: list[BaseException] = []

    def caller(i: int) -> None:
        try:
            outcome = client.chat(endpoint, [{"role": "user", "content": f"n{i}"}])
            assert outcome.content == reply_for([{"role": "user", "content": f"n{i}"}])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert model_standin.max_in_flight_of("slow-0.2#threads") == 4  # reached, never passed


def test_waiting_for_a_slot_counts_against_the_deadline(model_standin: StandIn) -> None:
    endpoint = client.Endpoint("mdl_queue", model_standin.base_url, "slow-2#queue",
                               options=client.CallOptions(max_concurrency=1, timeout_s=0.5),
                               allowed_hosts=("127.0.0.1",))
    holder = client.Endpoint("mdl_queue", model_standin.base_url, "slow-2#queue",
                             options=client.CallOptions(max_concurrency=1, timeout_s=5),
                             allowed_hosts=("127.0.0.1",))
    first = threading.Thread(target=client.chat, args=(holder, HELLO))
    first.start()
    while model_standin.in_flight_of("slow-2#queue") == 0:
        time.sleep(0.01)
    with pytest.raises(ModelTimeout) as caught:
        client.chat(endpoint, HELLO)
    assert caught.value.outcome.attempts == 0  # type: ignore[attr-defined]
    first.join()


def test_the_address_is_checked_again_at_each_call(model_standin: StandIn) -> None:
    endpoint = client.Endpoint("mdl_addr", model_standin.base_url, "echo", allowed_hosts=())
    requests = model_standin.requests
    with pytest.raises(ModelError, match="ASSAY_ALLOWED_MODEL_HOSTS"):
        client.chat(endpoint, HELLO)
    assert model_standin.requests == requests


