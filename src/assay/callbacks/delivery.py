"""The callback transport: POST a signed body to the address that was checked."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

import httpx

from assay.callbacks.signing import sign
from assay.callbacks.urls import resolve_target
from assay.settings import Settings


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
    with httpx.Client(timeout=settings.callback_timeout_s, follow_redirects=False) as client:
        return client.post(target, content=body, headers=headers, extensions=extensions)
