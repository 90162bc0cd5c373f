"""The SSRF guard: every class of non-public address is refused, directly and through a
fetch, with the loopback setting off (its default)."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from followthrough.watch import guard
from followthrough.watch.fetch import fetch
from followthrough.watch.guard import FeedError, RefusedAddress, address_refusal, resolve
from tests.watch.server import Route

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.5.6.7", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),
    ("100.64.0.1", "shared (CGNAT)"),
    ("100.127.255.254", "shared (CGNAT)"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "link-local"),
    ("0.0.0.0", "unspecified"),  # noqa: S104 — the address under test
    ("::", "unspecified"),
    ("fc00::1", "private"),
    ("fd12:3456:789a::1", "private"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "not public"),
    ("192.0.2.10", "not public"),  # documentation range
    ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
]
PUBLIC = ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "100.128.0.1"]


@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_it_refuses_every_class_of_non_public_address(address, kind):
    reason = address_refusal(address)
    assert reason is not None
    assert kind.split()[0] in reason or (kind == "not public" and reason)


@pytest.mark.parametrize("address", PUBLIC)
def test_it_lets_public_addresses_through(address):
    assert address_refusal(address) is None


def test_the_loopback_setting_opens_loopback_only():
    assert address_refusal("127.0.0.1", allow_loopback=True) is None
    assert address_refusal("::1", allow_loopback=True) is None
    assert address_refusal("::ffff:127.0.0.1", allow_loopback=True) is None
    for address in ("10.0.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "fe80::1"):  # noqa: S104
        assert address_refusal(address, allow_loopback=True) is not None


def _resolving_to(monkeypatch, *addresses):
    calls = []

    def fake(host, port, *args, **kwargs):
        calls.append(host)
        try:
            found = [str(ipaddress.ip_address(host))]  # an address stays itself
        except ValueError:
            found = list(addresses)
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [(family[6 if ":" in a else 4], socket.SOCK_STREAM, 6, "", (a, port)) for a in found]

    monkeypatch.setattr(guard.socket, "getaddrinfo", fake)
    return calls


@pytest.mark.parametrize(("address", "_kind"), REFUSED)
def test_a_host_name_resolving_to_a_refused_address_is_refused(monkeypatch, address, _kind):
    _resolving_to(monkeypatch, address.split("%")[0])
    with pytest.raises(RefusedAddress):
        resolve("https://news.example.org/feed/")


def test_one_private_address_among_public_ones_refuses_the_host(monkeypatch):
    _resolving_to(monkeypatch, "93.184.215.14", "10.0.0.5")
    with pytest.raises(RefusedAddress, match=r"10\.0\.0\.5"):
        resolve("https://news.example.org/feed/")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/feed",
        "file:///etc/passwd",
        "gopher://example.org/",
        "javascript:alert(1)",
        "http://user:secret@example.org/feed",
        "http:///feed",
        "http://example.org:99999/",
    ],
)
def test_it_takes_only_plain_http_and_https_addresses(url):
    with pytest.raises(FeedError):
        resolve(url)


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["127.0.0.1", "[::ffff:127.0.0.1]", "localhost"])
def test_a_fetch_of_this_machine_is_refused_with_the_setting_off(feed_server, host):
    url = f"http://{host}:{feed_server.port}/feed/"
    with pytest.raises(RefusedAddress):
        fetch(url)
    assert feed_server.requests == []  # never connected


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/admin",
        "http://[::ffff:192.168.0.1]/",
        "http://100.64.1.1/",
    ],
)
def test_a_redirect_to_a_refused_address_is_refused(feed_server, loopback, target):
    feed_server.routes["/moved"] = Route(status=302, headers={"Location": target})
    with pytest.raises(RefusedAddress):
        fetch(feed_server.url("/moved"))


def test_a_redirect_to_loopback_is_refused_when_the_first_hop_is_public(feed_server, monkeypatch):
    """With the setting off: a public name whose page redirects to 127.0.0.1."""
    from followthrough.watch import fetch as fetch_module

    calls = _resolving_to(monkeypatch, "93.184.215.14")

    answers = iter([(302, {"location": feed_server.url("/feed/")}, b"")])
    monkeypatch.setattr(fetch_module, "_get", lambda *args: next(answers))
    with pytest.raises(RefusedAddress):
        fetch("http://news.example.org/")
    assert calls == ["news.example.org", "127.0.0.1"]
    assert feed_server.requests == []


def test_the_connection_goes_to_the_address_checked(feed_server, loopback, monkeypatch):
    """Rebinding: the name is resolved once per hop and the connection pinned to that
    answer; a second answer (a private address) is never asked for."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])

    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in next(answers)]

    monkeypatch.setattr(guard.socket, "getaddrinfo", fake)
    fetched = fetch(f"http://feeds.example.org:{feed_server.port}/feed/")
    assert fetched.status == 200
    _path, headers = feed_server.requests[-1]
    assert headers["host"] == f"feeds.example.org:{feed_server.port}"
