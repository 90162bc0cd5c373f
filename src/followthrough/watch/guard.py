"""Which addresses the fetcher may connect to: only globally routable ones.

A member types a feed or website address; the server fetches it. Without this guard that
is a way to make the server read its own admin ports, the cloud's metadata service
(169.254.169.254) or the office network (SSRF). Every address a host name resolves to must
be public — one private address among public ones refuses the host, since which one the
connection would use is not ours to choose — and the fetcher then connects to the address
checked here, never resolving the name again (so DNS rebinding cannot switch it).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Carrier-grade NAT (RFC 6598): neither private nor global to Python's ipaddress.
SHARED = ipaddress.ip_network("100.64.0.0/10")
SCHEMES = {"http": 80, "https": 443}


class FeedError(Exception):
    """A feed that cannot be read, with the reason in words a member understands."""


class RefusedAddress(FeedError):
    """An address the fetcher must not connect to."""


def _embedded(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries: IPv4-mapped (::ffff:a.b.c.d), 6to4, Teredo."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
    return ip


def address_refusal(address: str, *, allow_loopback: bool = False) -> str | None:
    """Why the fetcher must not connect to `address` ("a private address"), or None when
    it is globally routable. `allow_loopback` lets 127.0.0.0/8 and ::1 through (tests and
    local development only)."""
    try:
        ip = _embedded(ipaddress.ip_address(address.split("%", 1)[0]))
    except ValueError:
        return "not an IP address"
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address (this server itself)"
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in SHARED, "a shared (CGNAT) address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((reason for refused, reason in checks if refused), None)


@dataclass(frozen=True)
class Target:
    """Where one request goes: the URL's parts and the one checked address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str
    path: str  # with the query


def split_url(url: str) -> SplitResult:
    """The URL's parts, or `FeedError` for one the fetcher does not take: http/https only,
    with a host, no user name or password."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 — raises ValueError for a port out of range
    except ValueError:
        raise FeedError(f"“{url}” is not a web address.") from None
    if parts.scheme.lower() not in SCHEMES:
        raise FeedError(f"Only http and https addresses can be watched, not “{url}”.")
    if not parts.hostname:
        raise FeedError(f"“{url}” names no host.")
    if parts.username is not None or parts.password is not None:
        raise FeedError("A feed address with a user name or password cannot be watched.")
    return parts


def resolve(url: str, *, allow_loopback: bool = False) -> Target:
    """Check `url` and resolve its host: every address must pass `address_refusal`.
    Raises `RefusedAddress` (or `FeedError` for a bad URL or a name that does not resolve)."""
    parts = split_url(url)
    host = parts.hostname or ""
    port = parts.port or SCHEMES[parts.scheme.lower()]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FeedError(f"The host “{host}” was not found.") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FeedError(f"The host “{host}” was not found.")
    for address in addresses:
        reason = address_refusal(address, allow_loopback=allow_loopback)
        if reason is not None:
            raise RefusedAddress(f"{host} is {reason} ({address}); only public sites are read.")
    path = parts.path or "/"
    return Target(
        url=url.strip(),
        scheme=parts.scheme.lower(),
        host=host,
        port=port,
        address=addresses[0],
        path=f"{path}?{parts.query}" if parts.query else path,
    )
