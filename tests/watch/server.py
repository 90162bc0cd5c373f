"""A real HTTP server on 127.0.0.1 for the fetcher's tests: routes of fixed answers with
ETag / Last-Modified support, redirects, slow and large answers; it records each request."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAST_MODIFIED = "Tue, 10 Mar 2026 14:02:11 GMT"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = True  # answer 304 to a matching If-None-Match / If-Modified-Since
    delay: float = 0.0  # seconds before answering
    chunks: int = 0  # send the body in this many chunks without a Content-Length
    chunk_delay: float = 0.0  # seconds between two chunks

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                if route.delay:
                    time.sleep(route.delay)
                # As servers do: If-None-Match, when sent, decides alone.
                tag, since = (
                    self.headers.get("If-None-Match"),
                    self.headers.get("If-Modified-Since"),
                )
                fresh = tag == route.etag if tag is not None else since == LAST_MODIFIED
                if route.conditional and route.status == 200 and fresh:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.status == 200 and route.conditional:
                    self.send_header("ETag", route.etag)
                    self.send_header("Last-Modified", LAST_MODIFIED)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.chunks:
                    self.end_headers()
                    size = len(route.body) // route.chunks + 1
                    for start in range(0, len(route.body), size):
                        time.sleep(route.chunk_delay)
                        try:
                            self.wfile.write(route.body[start : start + size])
                        except OSError:
                            return
                    return
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(route.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
