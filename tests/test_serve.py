"""`followthrough serve` on a fresh data directory, as a newcomer runs it: a real server
process on loopback, its pages and its (hashed) static files."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 -- loopback
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def _workers_of(port: int) -> list[int]:
    """The pids of worker processes whose environment names this test's data dir (by the port's
    server having started them): found through /proc, children of no one else."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            args = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if "followthrough worker" in args and f"ft-serve-{port}".encode() in environ:
            found.append(int(proc.name))
    return found


@pytest.fixture
def server_env() -> dict[str, str]:
    """Extra environment for the server (a test overrides this fixture)."""
    return {}


@pytest.fixture
def server(tmp_path: Path, server_env: dict[str, str]):
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(server_env)
    env["FT_SERVE_TAG"] = f"ft-serve-{port}"  # lets the test find this server's worker
    process = subprocess.Popen(  # noqa: S603 -- our own command
        [sys.executable, "-m", "followthrough", "serve", "--port", str(port),
         "--data-dir", str(tmp_path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _get(base + "/accounts/login/")
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(process.stdout.read())
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("serve did not answer within 60 s")
    yield base, tmp_path
    process.terminate()
    process.wait(timeout=10)
    # The worker ends with the server: no orphan is left behind.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _workers_of(port):
        time.sleep(0.2)
    assert not _workers_of(port)


def test_a_fresh_serve_answers_with_its_pages_and_static_files(server):
    base, data_dir = server
    status, _, body = _get(base + "/accounts/signup/")
    assert status == 200
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', body.decode())
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for asset in assets:
        status, content_type, _ = _get(base + asset)
        assert status == 200, asset
        assert content_type.split(";")[0] in ("text/css", "text/javascript", "image/svg+xml")
    assert (data_dir / "followthrough.sqlite3").exists()
    key = data_dir / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_anonymous_visitors_are_sent_to_log_in(server):
    base, _ = server
    status, _, body = _get(base + "/")
    assert status == 200 and b"Log in" in body  # after the redirect


def test_serve_runs_the_background_worker_beside_the_web_server(server):
    base, _ = server
    port = int(base.rsplit(":", 1)[1])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not _workers_of(port):
        time.sleep(0.3)
    assert _workers_of(port), "serve started no worker"
    # Still there a while later: it runs, rather than dying on a bad start.
    time.sleep(3)
    assert _workers_of(port), "the worker exited soon after it started"


def test_the_worker_ends_even_when_serve_is_killed(tmp_path):
    port = _free_port()
    env = dict(os.environ, FT_SERVE_TAG=f"ft-serve-{port}")
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(  # noqa: S603 -- our own command
        [sys.executable, "-m", "followthrough", "serve", "--port", str(port),
         "--data-dir", str(tmp_path)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _workers_of(port):
        time.sleep(0.3)
    assert _workers_of(port), "serve started no worker"
    process.kill()
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _workers_of(port):
        time.sleep(0.3)
    assert not _workers_of(port)
