"""A prepared backup downloaded by ten slow clients at once, in byte ranges, from a real
`followthrough serve` (waitress, 8 threads): the worker prepares the file, waitress sends
it from its I/O loop, and another member's page requests stay fast meanwhile.

Before, each download streamed the backup from an application thread for its whole
length: ten slow downloads held every thread and pages waited behind them.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.test_serve import server, server_env  # noqa: F401 -- the fixtures we reuse

SETUP = r"""
import json, sys
import django
django.setup()
from django.conf import settings
from django.db import transaction
from django.test import Client
from followthrough.exchange.backup.downloads import backup_download_request
from followthrough.people.models import Person
from followthrough.site.services import workspace_open
from django.contrib.auth import get_user_model

user = get_user_model().objects.create_user(username="o@example.org", email="o@example.org")
workspace = workspace_open(name="Big Org", owner=user)
Person.objects.bulk_create(
    Person(workspace=workspace, first_name=f"P{n}", last_name="Example", notes="n" * 4000)
    for n in range(int(sys.argv[1]))
)
with transaction.atomic():  # the worker of the running server prepares it once committed
    download, _ = backup_download_request(workspace=workspace, user=user)
client = Client()
client.force_login(user)
name = settings.SESSION_COOKIE_NAME
print(json.dumps({
    "cookie": f"{name}={client.cookies[name].value}",
    "slug": workspace.slug,
    "token": download.token,
    "path": str(settings.DATA_DIR / "backups" / str(workspace.pk) / f"{download.token}.json"),
}))
"""
DOWNLOADERS = 10
PIECE = 512 * 1024  # bytes per Range request
RATE = 2 * 1024 * 1024  # bytes per second each downloader reads: slow clients


def _setup(data_dir: Path, people: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(
        FOLLOWTHROUGH_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="followthrough.settings"
    )
    done = subprocess.run(  # noqa: S603 -- our own code
        [sys.executable, "-c", SETUP, str(people)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _connection(port: int) -> http.client.HTTPConnection:
    """A connection with a small receive buffer, so a slow reader is slow on the wire too
    (the kernel does not swallow the whole file for it)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.connect(("127.0.0.1", port))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.sock = sock
    return connection


def _get(port: int, path: str, cookie: str, **headers: str) -> tuple[int, dict, bytes]:
    connection = _connection(port)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, **headers})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _slow_range(port: int, path: str, cookie: str, start: int, stop: int) -> bytes:
    connection = _connection(port)
    try:
        connection.request(
            "GET", path, headers={"Cookie": cookie, "Range": f"bytes={start}-{stop - 1}"}
        )
        response = connection.getresponse()
        assert response.status == 206, response.status
        assert response.getheader("Content-Range", "").startswith(f"bytes {start}-{stop - 1}/")
        parts = []
        while piece := response.read(16 * 1024):
            parts.append(piece)
            time.sleep(len(piece) / RATE)
        return b"".join(parts)
    finally:
        connection.close()


def _page_times(port: int, path: str, cookie: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        status, _, body = _get(port, path, cookie)
        times.append(time.perf_counter() - started)
        assert status == 200 and b"Export" in body
    return times


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def test_ten_slow_range_downloads_leave_pages_fast(server, capsys):  # noqa: F811
    base, data_dir = server
    port = int(base.rsplit(":", 1)[1])
    info = _setup(data_dir, people=2400)  # a backup of about 10 MB
    cookie, slug = info["cookie"], info["slug"]
    export_page = f"/w/{slug}/export/"
    file_path = f"/w/{slug}/export/backup/{info['token']}/"
    deadline = time.monotonic() + 90  # the worker prepares the backup
    while time.monotonic() < deadline:
        _, _, fragment = _get(port, f"/w/{slug}/export/backup/", cookie, **{"HX-Request": "true"})
        if info["token"].encode() in fragment:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the worker did not prepare the backup within 90 s")
    whole = Path(info["path"]).read_bytes()
    size = len(whole)
    assert re.search(rb"Ready", fragment) and size > 8_000_000

    baseline = _page_times(port, export_page, cookie, 20)
    stop = threading.Event()
    results: list[tuple[bool, int]] = []
    errors: list[BaseException] = []

    def download() -> None:
        try:
            passes = 0
            while passes == 0 or not stop.is_set():
                got = b"".join(
                    _slow_range(port, file_path, cookie, start, min(start + PIECE, size))
                    for start in range(0, size, PIECE)
                )
                passes += 1
                results.append(
                    (hashlib.sha256(got).digest() == hashlib.sha256(whole).digest(), len(got))
                )
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=download) for _ in range(DOWNLOADERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # every downloader is on the wire
    during = _page_times(port, export_page, cookie, 40)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - started
    assert not errors, errors
    assert len(results) >= DOWNLOADERS and all(ok for ok, _ in results)
    with capsys.disabled():
        print(
            f"\n{DOWNLOADERS} slow clients downloaded a {size / 1e6:.1f} MB backup "
            f"{len(results)} times in {PIECE // 1024} KB ranges over {elapsed:.1f} s; "
            f"export page p95 {_p95(baseline) * 1000:.0f} ms before, "
            f"{_p95(during) * 1000:.0f} ms during (max {max(during) * 1000:.0f} ms)"
        )
    # 2 shared cores, other work on them: generous, and relative to the page's own time
    # when the machine is busy. Streaming the backup per request (the old way) gave a p95
    # of 1.2 s and a slowest page of 4.5 s here; the file served by waitress, 13-75 ms.
    assert _p95(during) < max(0.5, 3 * _p95(baseline))
