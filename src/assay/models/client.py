"""The transport to OpenAI-compatible ``/chat/completions`` servers (vLLM, Ollama, TGI,
llama.cpp, OpenAI), over httpx.

It knows endpoints, not organizations or projects: the caller (``models/calls.py``) loads
the endpoint, and records the :class:`Outcome` each call reports, success or failure.

Per endpoint (by its id) there is one pooled ``httpx.Client`` and one semaphore, shared by
every thread of the process, so no more than ``max_concurrency`` calls run against one
endpoint at once. Each call has one deadline, ``timeout_s`` after it starts, that bounds all
of it: the wait for a slot, every attempt, and the pauses between attempts. 429, 5xx and
connection failures are retried with exponential backoff and full jitter (a ``Retry-After``
is honoured when it fits before the deadline); any other answer is final.

Errors are domain errors: :class:`~assay.errors.ModelError` (502) when the server refused,
kept failing or could not be reached, :class:`~assay.errors.ModelTimeout` (504) when the
deadline passed. Each carries the :class:`Outcome` as ``exc.outcome``.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from assay.callbacks.urls import CallbackTargetRefused, resolve_target
from assay.errors import AssayError, ModelError, ModelTimeout

if TYPE_CHECKING:
    import httpx

RETRY_STATUSES = frozenset({408, 409, 425, 429}) | frozenset(range(500, 600))
_STREAM_SIZE_LIMIT = 16 * 1024 * 1024


@dataclass(frozen=True)
class CallOptions:
    """How Assay calls an endpoint (its own params, never sent to the server)."""

    timeout_s: float = 60.0
    max_concurrency: int = 8
    max_retries: int = 4
    backoff_s: float = 0.5
    stream_usage: bool = True


@dataclass(frozen=True)
class Endpoint:
    id: str
    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    options: CallOptions = CallOptions()
    body: dict[str, Any] = field(default_factory=dict)
    """Generation parameters sent with every request (temperature, max_tokens, …)."""
    allowed_hosts: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What one call did, for the ``model_calls`` record."""

    status: str = "ok"  # ok | error | timeout
    content: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_estimated: bool = False
    latency_ms: int = 0
    attempts: int = 0
    error_code: str | None = None


def estimate_tokens(text: str) -> int:
    """A rough count for servers that report no usage: about four characters a token."""
    return math.ceil(len(text) / 4) if text else 0


def estimate_prompt_tokens(messages: list[dict[str, Any]]) -> int:
    return sum(estimate_tokens(str(m.get("content") or "")) + 4 for m in messages)


class _Pool:
    def __init__(self, endpoint: Endpoint) -> None:
        import httpx

        self.signature = (endpoint.base_url, endpoint.options.max_concurrency)
        self.slots = threading.BoundedSemaphore(endpoint.options.max_concurrency)
        limit = endpoint.options.max_concurrency
        # The semaphore is the limit; the pool only keeps that many connections alive.
        self.http = httpx.Client(follow_redirects=False, limits=httpx.Limits(
            max_connections=None, max_keepalive_connections=limit))


_pools: dict[str, _Pool] = {}
_pools_lock = threading.Lock()


def _pool(endpoint: Endpoint) -> _Pool:
    """The endpoint's pool; a new one when its address or limit changed (calls already
    running on the old one finish there)."""
    with _pools_lock:
        pool = _pools.get(endpoint.id)
        if pool is None or pool.signature != (endpoint.base_url,
                                              endpoint.options.max_concurrency):
            pool = _pools[endpoint.id] = _Pool(endpoint)
        return pool


def forget(endpoint_id: str) -> None:
    """Drop an endpoint's pool (the endpoint was deleted)."""
    with _pools_lock:
        _pools.pop(endpoint_id, None)


class _Call:
    """One call's deadline, attempts and timing."""

    def __init__(self, endpoint: Endpoint, messages: list[dict[str, Any]],
                 overrides: dict[str, Any] | None, *, stream: bool,
                 rng: random.Random | None) -> None:
        self.endpoint = endpoint
        self.messages = messages
        self.started = time.monotonic()
        self.deadline = self.started + endpoint.options.timeout_s
        self.rng = rng or random.Random()
        self.outcome = Outcome(prompt_tokens=estimate_prompt_tokens(messages),
                               tokens_estimated=True)
        self.finished = False
        body: dict[str, Any] = {**endpoint.body, **(overrides or {}),
                                "model": endpoint.model, "messages": messages}
        if stream:
            body["stream"] = True
            if endpoint.options.stream_usage:
                body["stream_options"] = {"include_usage": True}
        self.body = json.dumps(body).encode()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def finish(self, status: str = "ok", error_code: str | None = None) -> Outcome:
        self.finished = True
        self.outcome.status = status
        self.outcome.error_code = error_code
        self.outcome.latency_ms = round((time.monotonic() - self.started) * 1000)
        return self.outcome

    def fail(self, exc_type: type[AssayError], message: str,
             details: dict[str, Any] | None = None) -> AssayError:
        status = "timeout" if exc_type is ModelTimeout else "error"
        exc = exc_type(message, details)
        # A failed call produced nothing to count or pay for.
        self.outcome.prompt_tokens = self.outcome.completion_tokens = 0
        self.outcome.tokens_estimated = False
        exc.outcome = self.finish(status, exc.code)  # type: ignore[attr-defined]
        return exc

    def timed_out(self) -> AssayError:
        return self.fail(ModelTimeout, f"the model did not answer within "
                         f"{self.endpoint.options.timeout_s:g} s")

    def request(self) -> httpx.Request:
        """The request to the address that was checked (the URL's host kept for HTTP and
        TLS), as callbacks do: a name cannot be re-pointed at an internal address."""
        import httpx

        ep = self.endpoint
        url = ep.base_url.rstrip("/") + "/chat/completions"
        try:
            address = resolve_target(url, ep.allowed_hosts, must_resolve=True)
        except CallbackTargetRefused as exc:
            message = str(exc).replace("ASSAY_ALLOWED_CALLBACK_HOSTS",
                                       "ASSAY_ALLOWED_MODEL_HOSTS")
            raise self.fail(ModelError, f"the model's address is refused: {message}") from exc
        parts = urlsplit(url)
        netloc = f"[{address}]" if address and ":" in address else (address or "")
        if parts.port:
            netloc += f":{parts.port}"
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "Host": parts.netloc.rsplit("@", 1)[-1], "User-Agent": "assay-models/1"}
        if ep.api_key:
            headers["Authorization"] = f"Bearer {ep.api_key}"
        extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
        left = max(self.remaining(), 0.001)
        return httpx.Request("POST", urlunsplit((parts.scheme, netloc, parts.path, "", "")),
                             content=self.body, headers=headers, extensions={
                                 **extensions, "timeout": httpx.Timeout(left).as_dict()})

    def pause(self, attempt: int, retry_after: float | None) -> bool:
        """Sleep before the next attempt; false when there is none to make (no retries
        left, or the pause would end past the deadline)."""
        if attempt >= self.endpoint.options.max_retries:
            return False
        cap = self.endpoint.options.backoff_s * (2 ** attempt)
        wait = retry_after if retry_after is not None else self.rng.uniform(0, cap)
        if wait >= self.remaining():
            return False
        time.sleep(wait)
        return True


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def _upstream_message(response: httpx.Response) -> str:
    import httpx

    try:
        response.read()
        error = response.json().get("error")
        text = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError, httpx.HTTPError):
        text = None
    return str(text)[:200] if text else response.reason_phrase


def _send(call: _Call, pool: _Pool) -> httpx.Response:
    """Send until an answer is final: a 2xx response (open, for the caller to read), or an
    error raised. Retries 429/5xx and connection failures within the deadline."""
    import httpx

    attempt = 0
    while True:
        call.outcome.attempts = attempt + 1
        last: str
        retry_after: float | None = None
        details: dict[str, Any] = {}
        try:
            response = pool.http.send(call.request(), stream=True)
        except httpx.TimeoutException as exc:
            # Every attempt's timeout is what is left of the deadline: it has passed.
            raise call.timed_out() from exc
        except httpx.TransportError as exc:
            if call.remaining() <= 0:
                raise call.timed_out() from exc
            last = f"the model server could not be reached ({type(exc).__name__})"
        else:
            if response.is_success:
                return response
            message = _upstream_message(response)
            response.close()
            details = {"upstream_status": response.status_code}
            if response.status_code not in RETRY_STATUSES:
                raise call.fail(ModelError, f"the model server refused the request "
                                f"({response.status_code}: {message})", details)
            last = f"the model server answered {response.status_code} ({message})"
            retry_after = _retry_after(response)
        if not call.pause(attempt, retry_after):
            if call.remaining() <= 0:
                raise call.timed_out()
            raise call.fail(ModelError, f"{last}; gave up after {attempt + 1} attempts",
                            details)
        attempt += 1


def _acquire(call: _Call, pool: _Pool) -> None:
    if not pool.slots.acquire(timeout=max(call.remaining(), 0)):
        raise call.timed_out()


def _read_body(call: _Call, response: httpx.Response) -> bytes:
    import httpx

    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if call.remaining() <= 0:
                raise call.timed_out()
            if size > _STREAM_SIZE_LIMIT:
                raise call.fail(ModelError, "the model's answer is too large")
    except httpx.TimeoutException as exc:
        raise call.timed_out() from exc
    except httpx.TransportError as exc:
        raise call.fail(ModelError, "the model server broke off its answer") from exc
    return b"".join(chunks)


def _usage(call: _Call, usage: Any) -> None:
    if isinstance(usage, dict) and isinstance(usage.get("prompt_tokens"), int) \
            and isinstance(usage.get("completion_tokens"), int):
        call.outcome.prompt_tokens = usage["prompt_tokens"]
        call.outcome.completion_tokens = usage["completion_tokens"]
        call.outcome.tokens_estimated = False


def chat(endpoint: Endpoint, messages: list[dict[str, Any]],
         overrides: dict[str, Any] | None = None, *,
         rng: random.Random | None = None) -> Outcome:
    """One whole reply to ``messages``; ``overrides`` are generation parameters for this
    call only. Raises :class:`ModelError` / :class:`ModelTimeout` (with ``.outcome``)."""
    call = _Call(endpoint, messages, overrides, stream=False, rng=rng)
    pool = _pool(endpoint)
    _acquire(call, pool)
    try:
        response = _send(call, pool)
        try:
            raw = _read_body(call, response)
        finally:
            response.close()
    finally:
        pool.slots.release()
    try:
        answer = json.loads(raw)
        content = answer["choices"][0]["message"]["content"]
        if not isinstance(content, str):
            raise TypeError("content")
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise call.fail(ModelError, "the model server's answer is not a chat completion") \
            from exc
    call.outcome.content = content
    call.outcome.completion_tokens = estimate_tokens(content)
    _usage(call, answer.get("usage"))
    return call.finish()


class ChatStream:
    """The deltas of one streamed reply, as they arrive; :attr:`outcome` is complete once
    the iteration ends. Close it (or exhaust it) to free the endpoint's slot."""

    def __init__(self, endpoint: Endpoint, messages: list[dict[str, Any]],
                 overrides: dict[str, Any] | None, rng: random.Random | None) -> None:
        self._call = _Call(endpoint, messages, overrides, stream=True, rng=rng)
        self._parts: list[str] = []
        self._iter = self._run()

    @property
    def outcome(self) -> Outcome:
        return self._call.outcome

    def __iter__(self) -> Iterator[str]:
        return self._iter

    @property
    def finished(self) -> bool:
        """Whether the call ended (completed or failed) rather than being abandoned."""
        return self._call.finished

    def close(self) -> None:
        """Stop reading; a call not finished yet is recorded as cut short."""
        self._iter.close()
        if not self._call.finished:
            self._call.outcome.content = "".join(self._parts)
            self._call.finish("error", "stream_abandoned")

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _run(self) -> Generator[str, None, None]:
        call = self._call
        pool = _pool(call.endpoint)
        _acquire(call, pool)
        try:
            response = _send(call, pool)
            try:
                yield from self._events(response)
            finally:
                response.close()
        finally:
            pool.slots.release()
        call.outcome.content = "".join(self._parts)
        if call.outcome.tokens_estimated:
            call.outcome.completion_tokens = estimate_tokens(call.outcome.content)
        call.finish()

    def _events(self, response: httpx.Response) -> Iterator[str]:
        import httpx

        call = self._call
        done = False
        try:
            for line in response.iter_lines():
                if call.remaining() <= 0:
                    raise call.timed_out()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    done = True
                    break
                try:
                    event = json.loads(data)
                except ValueError as exc:
                    raise call.fail(ModelError, "the model server sent an unreadable event") \
                        from exc
                _usage(call, event.get("usage") if isinstance(event, dict) else None)
                delta = _delta(event)
                if delta:
                    self._parts.append(delta)
                    yield delta
        except httpx.TimeoutException as exc:
            raise call.timed_out() from exc
        except httpx.TransportError as exc:
            raise call.fail(ModelError, "the model server broke off its answer") from exc
        if not done and not self._parts:
            raise call.fail(ModelError, "the model server's answer is not a chat stream")


def _delta(event: Any) -> str:
    try:
        content = event["choices"][0]["delta"].get("content")
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""
    return content if isinstance(content, str) else ""


def stream_chat(endpoint: Endpoint, messages: list[dict[str, Any]],
                overrides: dict[str, Any] | None = None, *,
                rng: random.Random | None = None) -> ChatStream:
    """A streamed reply: iterate for the deltas; the outcome is read afterwards. The call
    starts (and may raise) on the first ``next``."""
    return ChatStream(endpoint, messages, overrides, rng)
