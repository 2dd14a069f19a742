"""Which callback targets are allowed: no loopback, private or link-local address unless
its host is listed in ``ASSAY_ALLOWED_CALLBACK_HOSTS``."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from assay.errors import field_error


class CallbackTargetRefused(ValueError):
    pass


def _is_internal(addr: str) -> bool:
    ip = ipaddress.ip_address(addr.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified)


def _allowed(host: str, port: int, allowed: tuple[str, ...]) -> bool:
    host = host.lower()
    return host in allowed or f"{host}:{port}" in allowed


def _parts(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackTargetRefused("must be an http or https URL with a host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.hostname, port


def resolve_target(url: str, allowed: tuple[str, ...], *, must_resolve: bool) -> str | None:
    """Return the address to connect to, after checking it.

    Raises :class:`CallbackTargetRefused` for a refused target. A name that does not resolve
    gives ``None`` when ``must_resolve`` is false (accepted when a URL is set).
    """
    try:
        _scheme, host, port = _parts(url)
    except ValueError as exc:
        raise CallbackTargetRefused(str(exc)) from exc
    try:
        literal = ipaddress.ip_address(host)
        addresses = [str(literal)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            if must_resolve:
                raise CallbackTargetRefused(f"host {host} does not resolve") from exc
            return None
        addresses = [str(info[4][0]) for info in infos]
    if not _allowed(host, port, allowed) and any(_is_internal(a) for a in addresses):
        raise CallbackTargetRefused(
            f"host {host} is a loopback, private or link-local address; list it in "
            "ASSAY_ALLOWED_CALLBACK_HOSTS to allow it"
        )
    return addresses[0]


def check_callback_url(url: str | None, allowed: tuple[str, ...],
                       field: str = "callback_url") -> str | None:
    """Validate a callback URL when it is set (422 naming the field)."""
    if url is None:
        return None
    if len(url) > 2000:
        raise field_error(field, "is longer than 2000 characters")
    try:
        resolve_target(url, allowed, must_resolve=False)
    except CallbackTargetRefused as exc:
        raise field_error(field, str(exc), code="callback_url_refused") from exc
    return url
