"""The fetcher: one GET of a public http(s) address, safely.

- Only addresses `guard.resolve` lets through; the connection goes to the very address it
  checked (the host name is sent as `Host` and for TLS, never resolved again).
- Redirects are followed by hand, at most `MAX_REDIRECTS`, each hop checked the same way.
- At most `MAX_BYTES` of body (after decompression) and `TOTAL_SECONDS` for the whole
  fetch, redirects included; `CONNECT_SECONDS` to connect.
- Conditional: the ETag and Last-Modified of the previous answer are sent back, and a
  304 answer means nothing new.
`FEEDS_ALLOW_LOOPBACK` (FOLLOWTHROUGH_FEEDS_ALLOW_LOOPBACK) lets loopback addresses
through, for tests and local development only.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings

from followthrough.watch.guard import FeedError, Target, resolve

MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 5
CONNECT_SECONDS = 5.0
TOTAL_SECONDS = 20.0
USER_AGENT = "Followthrough feed reader"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.5, */*;q=0.1"
)
REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Fetched:
    """An answer: `not_modified` for a 304 (then `body` is empty)."""

    url: str  # after redirects
    status: int
    body: bytes
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            raise FeedError("The site took too long to answer.")
        return left


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to one checked address; `host` stays the name for `Host`."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        # A socket to the address itself: nothing here resolves a name again.
        family = socket.AF_INET6 if ":" in self._address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(min(self.timeout or CONNECT_SECONDS, CONNECT_SECONDS))
            sock.connect((self._address, self.port))
            sock.settimeout(self.timeout)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class _PinnedHTTPS(_PinnedHTTP):
    """HTTPS to one checked address, the certificate verified for the host name."""

    default_port = 443

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def _allow_loopback() -> bool:
    return bool(getattr(settings, "FEEDS_ALLOW_LOOPBACK", False))


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int | None = None,
    total_seconds: float | None = None,
) -> Fetched:
    """GET `url` (following redirects); raises `FeedError` (`RefusedAddress` for an
    address that is not public) with the reason, for an answer other than 200 or 304.
    `max_bytes` and `total_seconds` default to `MAX_BYTES` and `TOTAL_SECONDS`."""
    deadline = _Deadline(total_seconds or TOTAL_SECONDS)
    max_bytes = max_bytes or MAX_BYTES
    for _hop in range(MAX_REDIRECTS + 1):
        target = resolve(url, allow_loopback=_allow_loopback())
        status, headers, body = _get(target, etag, last_modified, max_bytes, deadline)
        if status in REDIRECTS:
            location = headers.get("location", "").strip()
            if not location:
                raise FeedError(f"The site answered {status} without saying where to.")
            url = urljoin(target.url, location)
            continue
        if status == 304:
            return Fetched(url=target.url, status=304, body=b"")
        if status != 200:
            raise FeedError(
                f"The site answered {status} ({http.client.responses.get(status, 'error')})."
            )
        return Fetched(
            url=target.url,
            status=200,
            body=body,
            content_type=headers.get("content-type", ""),
            etag=headers.get("etag", "")[:200],
            last_modified=headers.get("last-modified", "")[:100],
        )
    raise FeedError(f"The site redirected more than {MAX_REDIRECTS} times.")


def _get(
    target: Target, etag: str, last_modified: str, max_bytes: int, deadline: _Deadline
) -> tuple[int, dict[str, str], bytes]:
    """One request to `target`: status, headers (lower-case names) and the body (empty
    for a redirect or 304)."""
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target, timeout=deadline.left())
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        connection.request("GET", target.path, headers=headers)
        sock = connection.sock  # getresponse() lets go of it when the server will close
        response = connection.getresponse()
        found = {name.lower(): value for name, value in response.getheaders()}
        if response.status != 200:
            return response.status, found, b""
        body = _read(response, sock, found, max_bytes, deadline)
        return response.status, found, body
    except TimeoutError:
        raise FeedError("The site took too long to answer.") from None
    except ssl.SSLError as error:
        raise FeedError(f"The site's secure connection failed ({error.reason}).") from None
    except (OSError, http.client.HTTPException, zlib.error) as error:
        raise FeedError(f"The site could not be reached ({type(error).__name__}).") from None
    finally:
        connection.close()


def _read(
    response: http.client.HTTPResponse,
    sock: socket.socket | None,
    headers: dict[str, str],
    max_bytes: int,
    deadline: _Deadline,
) -> bytes:
    """The body, at most `max_bytes` once decompressed, read before the deadline."""
    too_big = FeedError(f"The answer is larger than {max_bytes // 1024} KB; it was not read.")
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    encoding = headers.get("content-encoding", "").strip().lower()
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 32) if encoding in ("gzip", "deflate") else None
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline.left()  # raises once the time is up
        if sock is not None:
            sock.settimeout(left)
        chunk = response.read1(64 * 1024)
        if not chunk:
            break
        if inflate is not None:
            chunk = inflate.decompress(chunk, max_bytes + 1 - size)
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)
