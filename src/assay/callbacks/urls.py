"""Which callback targets are allowed: no loopback, private or link-local address unless
its host is listed in ``ASSAY_ALLOWED_CALLBACK_HOSTS``."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from assay.errors import field_error


class CallbackTargetRefused(ValueError):
    pass


# IPv6 prefixes whose last 32 bits are an IPv4 address a gateway or stack may route to:
# NAT64's well-known prefix and the deprecated IPv4-compatible form. The local-use NAT64
# prefix (RFC 8215) translates to whatever the local network chooses: never a target.
_IPV4_IN_LOW32 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address reaches through a transition mechanism:
    IPv4-mapped, 6to4 (2002::/16), Teredo (2001::/32: server and client) and the
    prefixes above."""
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if any(ip in net for net in _IPV4_IN_LOW32):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _is_internal(addr: str) -> bool:
    """Anything but a public unicast address: loopback, private, link-local, shared
    (100.64.0.0/10, carrier-grade NAT), reserved, documentation, multicast, unspecified,
    and an IPv6 address that wraps such an IPv4 address."""
    ip = ipaddress.ip_address(addr.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return True
        inner = _embedded_ipv4(ip)
        if inner:
            return any(_is_internal(str(a)) for a in inner)
    return not ip.is_global or ip.is_multicast


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
