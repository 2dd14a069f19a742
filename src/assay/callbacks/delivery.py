"""The callback transport: POST a signed body to the address that was checked.

One pooled HTTP client per process (keep-alive connections, reused across deliveries) and
:func:`post_many`, which sends a round of deliveries concurrently with at most
``callback_concurrency_per_host`` requests in flight to any one host at a time.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from assay.callbacks.signing import sign
from assay.callbacks.urls import CallbackTargetRefused, resolve_target
from assay.settings import Settings

if TYPE_CHECKING:
    import httpx

_lock = threading.Lock()
_client: httpx.Client | None = None


def pooled_client() -> httpx.Client:
    """This process's client: its connections stay open between deliveries (httpx is
    imported by the first delivery, not at a server's start)."""
    import httpx

    global _client
    with _lock:
        if _client is None:
            _client = httpx.Client(
                follow_redirects=False,
                limits=httpx.Limits(max_connections=256, max_keepalive_connections=64,
                                    keepalive_expiry=30.0))
        return _client


def host_of(url: str) -> str:
    """The URL's host and port (what the per-host bound counts and the log shows)."""
    parts = urlsplit(url)
    return (parts.hostname or "") + (f":{parts.port}" if parts.port else "")


def post_signed(url: str, body: bytes, secret: str | Sequence[str],
                settings: Settings) -> httpx.Response:
    """POST to the address that was checked, keeping the URL's host for HTTP and TLS;
    signed with each secret given (two during a rotation: signing.py)."""
    address = resolve_target(url, settings.allowed_callback_hosts, must_resolve=True)
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc_ip = f"[{address}]" if address and ":" in address else (address or host)
    if parts.port:
        netloc_ip += f":{parts.port}"
    target = urlunsplit((parts.scheme, netloc_ip, parts.path or "/", parts.query, ""))
    headers = {
        "Content-Type": "application/json",
        "Assay-Signature": sign(secret, body),
        "Host": parts.netloc.rsplit("@", 1)[-1],
        "User-Agent": "assay-callbacks/1",
    }
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return pooled_client().post(target, content=body, headers=headers, extensions=extensions,
                                timeout=settings.callback_timeout_s)


@dataclass(frozen=True)
class Delivery:
    url: str
    body: bytes
    secret: str | Sequence[str]


@dataclass(frozen=True)
class Outcome:
    """``status_code`` when the receiver answered (any status), else ``error``."""

    status_code: int | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _attempt(delivery: Delivery, settings: Settings) -> Outcome:
    import httpx

    try:
        response = post_signed(delivery.url, delivery.body, delivery.secret, settings)
    except CallbackTargetRefused as exc:
        return Outcome(None, f"refused: {exc}")
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}")
    if 200 <= response.status_code < 300:
        return Outcome(response.status_code, None)
    return Outcome(response.status_code, f"HTTP {response.status_code}")


def post_many(deliveries: Sequence[Delivery], settings: Settings) -> list[Outcome]:
    """Send each delivery once, concurrently, at most ``callback_concurrency_per_host`` at a
    time to one host; the outcomes in the order given."""
    if not deliveries:
        return []
    bound = settings.callback_concurrency_per_host
    gates: dict[str, threading.BoundedSemaphore] = defaultdict(
        lambda: threading.BoundedSemaphore(bound))
    per_host: dict[str, int] = defaultdict(int)
    for delivery in deliveries:
        per_host[host_of(delivery.url)] += 1
    for host in per_host:
        gates[host]  # made here, before any thread needs one
    # Enough threads for every host to use its bound, never more than there is to send.
    threads = min(len(deliveries), sum(min(n, bound) for n in per_host.values()), 64)

    def run(delivery: Delivery) -> Outcome:
        with gates[host_of(delivery.url)]:
            return _attempt(delivery, settings)

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="assay-callback") as pool:
        return list(pool.map(run, deliveries))
