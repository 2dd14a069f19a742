"""A stand-in for an OpenAI-compatible model server: real HTTP on loopback, canned replies.

This is NOT a model. It answers ``POST /v1/chat/completions`` (whole or streamed as
server-sent events) and ``GET /v1/models`` with replies derived deterministically from the
messages, so that tests and ``assay demo`` can exercise everything around a model (the
client's retries, deadlines and concurrency limit, token and cost records) on a machine
that has no model weights.

How it behaves is chosen by the request's ``model`` (or the ``X-Standin-Mode`` header,
which wins). A mode is a ``+``-joined list of:

``echo``            the default: answer at once
``slow-S``          wait S seconds before answering (before the first chunk when streaming)
``drip-S``          streaming: wait S seconds between chunks
``fail-CODExK``     answer CODE (e.g. 500, 429) K times, then normally
``after-S``         with ``fail``: send ``Retry-After: S`` (a 429 sends ``0`` otherwise)
``refuse``          answer 400 (a request the server will not take)
``nousage``         leave ``usage`` out (the client must estimate)
``list``            answer a numbered list of 5 made-up prompts (:func:`list_for`): 4 on
                    topics drawn from the conversation's digest, the 5th a near-copy of
                    the 1st, as a generator of synthetic prompts might write them
``pad-N``           add N words (`` pad``) to the reply: contestants of different lengths
``refuseon-WORD``   answer 400 when the last user message contains WORD (a model that
                    fails on some prompts)
``judge-longer``    answer as a pairwise judge (``[Reply A]``/``[Reply B]`` sections, as
                    ``algorithms/judging.py`` writes them): the longer reply wins, ``[[TIE]]``
                    when they are equally long
``judge-first``     answer as a judge that always prefers the reply shown first (``[[A]]``)

Text after ``#`` is ignored except as the key of the ``fail`` counter, so two tests can use
``fail-500x2#a`` and ``fail-500x2#b`` independently. It counts the requests it is handling
at once (:attr:`StandIn.max_in_flight`) for the concurrency tests.

Run one by hand: ``python -m assay.models.standin --port 8001``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPLY_PREFIX = "stand-in reply"


def count_tokens(text: str) -> int:
    """The stand-in's token count: whitespace-separated words."""
    return len(text.split())


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    """Tokens of a prompt as the stand-in counts them: each message's words, plus one for
    its role."""
    return sum(count_tokens(str(m.get("content") or "")) + 1 for m in messages)


def reply_for(messages: list[dict[str, Any]], seed: int | None = None) -> str:
    """The reply to ``messages``: a digest of the whole conversation and the last user
    message echoed, so a test can predict it and two prompts never share a reply."""
    digest = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()[:8]
    last = next((str(m.get("content") or "") for m in reversed(messages)
                 if m.get("role") == "user"), "")
    seeded = f" seed {seed}" if seed is not None else ""
    return f"{REPLY_PREFIX} {digest}{seeded}: {last}".rstrip()


TOPICS = ("tides", "volcanoes", "compound interest", "binary search", "photosynthesis",
          "the French Revolution", "jet streams", "vaccines", "sourdough bread", "black holes",
          "supply chains", "prime numbers", "bird migration", "recursion", "glaciers",
          "inflation", "coral reefs", "the printing press", "neural networks", "tea")
TONES = ("short", "friendly", "formal", "playful", "careful", "plain", "vivid", "skeptical",
         "practical", "historical", "technical", "gentle")


def list_for(messages: list[dict[str, Any]]) -> str:
    """The ``list`` mode's reply: a numbered list of 5 prompts, the same for the same
    conversation; two conversations rarely share one. The 5th is a near-copy of the 1st."""
    digest = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).digest()
    items = []
    for i in range(4):
        b = digest[8 * i:8 * i + 8]
        picked = list(dict.fromkeys([TOPICS[x % len(TOPICS)] for x in b[1:]] + list(TOPICS)))[:3]
        items.append(f"Write a {TONES[b[0] % len(TONES)]} note about {picked[0]}, "
                     f"{picked[1]} and {picked[2]}.")
    items.append(items[0].replace("Write a", "Please write a"))
    return "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))


def judge_verdict(text: str, how: str) -> str:
    """A judge's answer to a pairwise prompt: ``first`` always picks A; ``longer`` picks the
    longer of the ``[Reply A]`` and ``[Reply B]`` sections (a tie when equally long)."""
    if how == "first":
        return "Reply A reads better. [[A]]"
    _, _, rest = text.partition("[Reply A]\n")
    first, _, second = rest.partition("\n\n[Reply B]\n")
    verdict = ("A" if len(first) > len(second) else "B" if len(second) > len(first)
               else "TIE")
    return f"Judged by length. [[{verdict}]]"


@dataclass
class Mode:
    delay_s: float = 0.0
    drip_s: float = 0.0
    fail_status: int = 0
    fail_times: int = 0
    retry_after: str | None = None
    refuse: bool = False
    usage: bool = True
    listing: bool = False
    pad: int = 0
    refuse_on: str | None = None
    judge: str | None = None
    key: str = ""


def parse_mode(text: str) -> Mode:
    mode = Mode(key=text)
    spec = text.split("#", 1)[0]
    for part in (p.strip() for p in spec.split("+") if p.strip()):
        name, _, arg = part.partition("-")
        try:
            if name == "slow":
                mode.delay_s = float(arg)
            elif name == "drip":
                mode.drip_s = float(arg)
            elif name == "fail":
                code, _, times = arg.partition("x")
                mode.fail_status, mode.fail_times = int(code), int(times or 1)
            elif name == "after":
                mode.retry_after = str(int(float(arg)))
            elif name == "refuse":
                mode.refuse = True
            elif name == "nousage":
                mode.usage = False
            elif name == "list":
                mode.listing = True
            elif name == "pad":
                mode.pad = int(arg)
            elif name == "refuseon":
                mode.refuse_on = arg
            elif name == "judge":
                mode.judge = arg
        except ValueError:
            continue  # an unknown argument is the default behaviour, as an unknown model
    return mode


class StandIn:
    """The stand-in server in a background thread. Use as a context manager, or call
    :meth:`start` and :meth:`stop`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 api_key: str | None = None) -> None:
        self.api_key = api_key
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests = 0
        self.authorizations: list[str] = []
        self._failures: dict[str, int] = {}
        self._in_flight_of: dict[str, int] = {}
        self._max_of: dict[str, int] = {}
        standin = self

        class Handler(_Handler):
            owner = standin

        self._server = _QuietServer((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="model-standin", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What a model's ``base_url`` is set to (``…/v1``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def max_in_flight_of(self, model: str) -> int:
        """The most requests for ``model`` (the request's model string, ``#key`` and all)
        handled at once: unlike :attr:`max_in_flight`, untouched by other tests' slow
        requests still sleeping here after their client gave up."""
        with self._lock:
            return self._max_of.get(model, 0)

    def in_flight_of(self, model: str) -> int:
        with self._lock:
            return self._in_flight_of.get(model, 0)

    def reset(self) -> None:
        """Forget the counters (in flight, max, requests, failures, authorizations)."""
        with self._lock:
            self.max_in_flight = self.in_flight
            self.requests = 0
            self.authorizations.clear()
            self._failures.clear()

    def _enter(self, authorization: str, model: str) -> None:
        with self._lock:
            self.in_flight += 1
            self.requests += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.authorizations.append(authorization)
            now = self._in_flight_of[model] = self._in_flight_of.get(model, 0) + 1
            self._max_of[model] = max(self._max_of.get(model, 0), now)

    def _leave(self, model: str) -> None:
        with self._lock:
            self.in_flight -= 1
            self._in_flight_of[model] -= 1

    def _should_fail(self, mode: Mode) -> bool:
        if not mode.fail_times:
            return False
        with self._lock:
            done = self._failures.get(mode.key, 0)
            if done >= mode.fail_times:
                return False
            self._failures[mode.key] = done + 1
            return True


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-reply (a timed-out call) is not an error here."""


class _Handler(BaseHTTPRequestHandler):
    owner: StandIn
    protocol_version = "HTTP/1.1"
    server_version = "AssayModelStandIn/1"
    # TCP_NODELAY: a streamed reply is many small writes, and with Nagle's algorithm each one
    # after the first waited for the client's delayed ACK (about 40 ms a call on loopback).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and benchmarks read their own figures

    def _send_json(self, status: int, body: dict[str, Any],
                   headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send_json(status, {"error": {"message": message, "type": "standin_error",
                                           "code": status}}, headers)

    def do_GET(self) -> None:
        if self.path.rstrip("/") != "/v1/models":
            self._error(404, "not found")
            return
        self._send_json(200, {"object": "list", "data": [
            {"id": "echo", "object": "model", "owned_by": "assay-standin"}]})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._error(404, "not found")
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        model = str(body.get("model", "")) if isinstance(body, dict) else ""
        self.owner._enter(self.headers.get("Authorization", ""), model)
        try:
            self._complete(body)
        finally:
            self.owner._leave(model)

    def _complete(self, body: Any) -> None:
        owner = self.owner
        if owner.api_key and self.headers.get("Authorization") != f"Bearer {owner.api_key}":
            self._error(401, "invalid api key")
            return
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not messages:
            self._error(400, "messages: a non-empty list is required")
            return
        mode = parse_mode(self.headers.get("X-Standin-Mode") or str(body.get("model", "")))
        if mode.delay_s:
            time.sleep(mode.delay_s)
        if mode.refuse:
            self._error(400, "the stand-in refuses this request (mode refuse)")
            return
        if owner._should_fail(mode):
            after = mode.retry_after or ("0" if mode.fail_status == 429 else None)
            extra = {"Retry-After": after} if after is not None else None
            self._error(mode.fail_status, f"stand-in failure {mode.fail_status}", extra)
            return
        last = next((str(m.get("content") or "") for m in reversed(messages)
                     if isinstance(m, dict) and m.get("role") == "user"), "")
        if mode.refuse_on and mode.refuse_on in last:
            self._error(400, f"the stand-in refuses prompts with {mode.refuse_on!r}")
            return
        seed = body.get("seed") if isinstance(body.get("seed"), int) else None
        reply = (list_for(messages) if mode.listing
                 else judge_verdict(last, mode.judge) if mode.judge
                 else reply_for(messages, seed) + " pad" * mode.pad)
        usage = {"prompt_tokens": prompt_tokens(messages),
                 "completion_tokens": count_tokens(reply)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        model = str(body.get("model", ""))
        if body.get("stream"):
            include = bool((body.get("stream_options") or {}).get("include_usage"))
            self._stream(model, reply, usage if include and mode.usage else None, mode)
            return
        answer: dict[str, Any] = {
            "id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": reply}}],
        }
        if mode.usage:
            answer["usage"] = usage
        self._send_json(200, answer)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, model: str, reply: str, usage: dict[str, int] | None,
                mode: Mode) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        words = reply.split(" ")
        base = {"id": "chatcmpl-standin", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": model}
        pieces = [{"role": "assistant", "content": ""}] + [
            {"content": word if i == 0 else " " + word} for i, word in enumerate(words)]
        for i, delta in enumerate(pieces):
            if mode.drip_s and i:
                time.sleep(mode.drip_s)
            finish = "stop" if i == len(pieces) - 1 else None
            event = {**base, "choices": [{"index": 0, "delta": delta,
                                          "finish_reason": finish}]}
            self._chunk(f"data: {json.dumps(event)}\n\n".encode())
        if usage is not None:
            self._chunk(f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n"
                        .encode())
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Assay's model stand-in (not a model).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    standin = StandIn(args.host, args.port).start()
    print(f"model stand-in at {standin.base_url} (not a model; canned replies)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        standin.stop()


if __name__ == "__main__":
    main()
