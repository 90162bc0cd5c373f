"""Behind a reverse proxy (FOLLOWTHROUGH_TRUSTED_PROXY): a real `followthrough serve`
takes each client's address from X-Forwarded-For, so the log-in lockout, counted per
(username, address), locks the client that failed, not everyone behind the proxy."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest

from tests.test_serve import server  # noqa: F401 -- the fixture

LIMIT = 3


@pytest.fixture
def server_env() -> dict[str, str]:
    return {
        "FOLLOWTHROUGH_TRUSTED_PROXY": "127.0.0.1",
        "FOLLOWTHROUGH_LOGIN_FAILURE_LIMIT": str(LIMIT),
    }


def _log_in(base: str, client: str, email: str) -> str:
    """A failed log-in as `email`, forwarded for `client`; the page answered."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"X-Forwarded-For": client}
    request = urllib.request.Request(base + "/accounts/login/", headers=headers)  # noqa: S310
    page = opener.open(request, timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": email, "password": "wrong-password"}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 -- loopback
        base + "/accounts/login/", data=body, headers={**headers, "Referer": base + "/"}
    )
    try:
        return opener.open(request, timeout=10).read().decode()
    except urllib.error.HTTPError as error:  # axes answers a lockout with 429
        return error.read().decode()


def test_a_lockout_locks_the_forwarded_client_only(server):  # noqa: F811
    base, _ = server
    for _n in range(LIMIT):
        page = _log_in(base, "198.51.100.7", "someone@example.org")
    assert "Too many failed log-ins" in page
    # The same name from another address behind the same proxy still gets the form.
    other = _log_in(base, "203.0.113.9", "someone@example.org")
    assert "Too many failed log-ins" not in other
    assert 'name="password"' in other
    # The locked client stays locked for that name; another name counts on its own.
    assert "Too many failed log-ins" in _log_in(base, "198.51.100.7", "someone@example.org")
    assert "Too many failed log-ins" not in _log_in(base, "198.51.100.7", "fresh@example.org")
