"""Writers and readers against a real server while a large import runs in another process.

    python bench/bench_concurrency.py --data-dir /tmp/ftbench [--scratch DIR] [--rows 200000]
                                      [--writers 20] [--seconds 30] [--reuse]

Copies the benchmark database to a scratch directory (bench_import.prepare), writes a
LinkedIn-style CSV of `--rows` rows, gives `--writers` new members a known password,
starts `followthrough serve --no-worker` on a free loopback port, starts
`followthrough import linkedin` of the CSV in another process and, once the import has
written its first batch, runs the writers for `--seconds`: each logs in, then in turn
creates a person (POST, then a check that the person is there) and reads a page (Today or
the people list). It prints per kind of request the count, p50/p95/p99/max in ms, every
error (a status other than the expected one, or a failed connection: 503 "busy" counts
as an error) and the lost writes (a person whose creation was answered 303 but is not in
the database at the end); and the import's own time and result. The issue's bar:
0 errors, 0 lost writes, p99 under 2 s.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_import import DB, prepare, write_linkedin  # noqa: E402

PASSWORD = "a long bench pass phrase"  # noqa: S105 -- a scratch copy's members
SLUG = "bench"
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def add_writers(scratch: Path, count: int) -> list[str]:
    """`count` members of the bench workspace with PASSWORD; their e-mails."""
    emails = [f"writer{i}@bench.followthrough.test" for i in range(count)]
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from followthrough.workspaces.models import Membership, Workspace\n"
        f"ws = Workspace.objects.get(slug={SLUG!r})\n"
        f"for email in {emails!r}:\n"
        "    user, _ = get_user_model().objects.get_or_create(username=email, "
        "defaults={'email': email})\n"
        f"    user.set_password({PASSWORD!r}); user.save()\n"
        "    Membership.objects.get_or_create(workspace=ws, user=user, "
        "defaults={'role': 'member'})\n"
    )
    subprocess.run(  # noqa: S603 -- our own command
        [sys.executable, "-m", "followthrough", "shell", "-c", code, "--data-dir", str(scratch)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return emails


class Client:
    """One browser: a cookie jar, CSRF from the forms, timings per kind of request."""

    def __init__(self, base: str, results: dict, errors: Counter, lock: threading.Lock) -> None:
        self.base, self.results, self.errors, self.lock = base, results, errors, lock
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirect()
        )

    def request(self, kind: str, path: str, data: dict | None, expect: int) -> bytes | None:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 -- loopback
        if data is not None:
            request.add_header("Referer", self.base + path)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, content = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        except OSError as error:
            status, content = f"{type(error).__name__}", b""
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.results[kind].append(elapsed)
            if status != expect:
                self.errors[f"{kind}: {status}"] += 1
        return content if status == expect else None

    def form(self, path: str) -> str:
        page = self.request("form page", path, None, 200) or b""
        found = CSRF.search(page)
        return found.group(1).decode() if found else ""

    def log_in(self, email: str) -> bool:
        token = self.form("/accounts/login/")
        data = {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD}
        return self.request("log in", "/accounts/login/", data, 302) is not None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def writer(
    client: Client, email: str, n: int, until: float, created: list[str], lock: threading.Lock
) -> None:
    """Logged in already (before the import: 20 password hashes at once are a burst of
    CPU, not a wait for the database); signs in once more, in its own new session, on
    its fourth round, so sign-ins during the import are measured too."""
    new = f"/w/{SLUG}/people/new/"
    reads = [f"/w/{SLUG}/", f"/w/{SLUG}/people/"]
    i = 0
    while time.monotonic() < until:
        token = client.form(new)
        last = f"Writer{n}x{i}"
        data = {"csrfmiddlewaretoken": token, "first_name": "Bench", "last_name": last}
        if client.request("create person", new, data, 303) is not None:
            with lock:
                created.append(last)
        client.request("read page", reads[i % 2], None, 200)
        if i == 3:
            again = Client(client.base, client.results, client.errors, client.lock)
            token = again.form("/accounts/login/")
            data = {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD}
            again.request("log in (during)", "/accounts/login/", data, 302)
        i += 1


def wait_for_import_start(
    scratch: Path, before: int, process: subprocess.Popen, warmup: float
) -> None:
    """Until the import has committed its first batch, or `warmup` seconds have passed
    (an import in one transaction commits nothing until its end), or it ended."""
    deadline = time.monotonic() + warmup
    while process.poll() is None and time.monotonic() < deadline:
        with sqlite3.connect(scratch / DB, timeout=30) as db:
            (count,) = db.execute("SELECT COUNT(*) FROM exchange_importbatch").fetchone()
        if count > before:
            return
        time.sleep(0.5)


def percentiles(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100) if len(ordered) > 1 else ordered * 99
    return (
        f"{len(ordered):5d} requests  p50 {q[49]:7.0f}  p95 {q[94]:7.0f}  p99 {q[98]:7.0f}  "
        f"max {ordered[-1]:7.0f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--scratch", type=Path, default=Path(tempfile.gettempdir()) / "ftbench-concurrency"
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="longest wait for the import's first batch"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse the scratch copy")
    args = parser.parse_args(argv)

    base_copy = prepare(args.data_dir, args.scratch, args.reuse)
    shutil.copyfile(base_copy, args.scratch / DB)
    csv_path = args.scratch / "Connections.csv"
    if not (args.reuse and csv_path.exists()):
        write_linkedin(csv_path, args.scratch / DB, args.rows)
    emails = add_writers(args.scratch, args.writers)
    with sqlite3.connect(args.scratch / DB) as db:
        (batches_before,) = db.execute("SELECT COUNT(*) FROM exchange_importbatch").fetchone()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    data_dir = ["--data-dir", str(args.scratch)]
    server = subprocess.Popen(  # noqa: S603 -- our own command
        [sys.executable, "-m", "followthrough", "serve", "--no-worker", "--port", str(port),
         "--threads", str(args.writers + 4), *data_dir],
        stdout=subprocess.DEVNULL, stderr=(args.scratch / "serve.log").open("w"), text=True,
    )  # fmt: skip
    try:
        _wait_until_up(base, server)
        results: dict[str, list[float]] = defaultdict(list)
        errors: Counter = Counter()
        lock = threading.Lock()
        clients = [Client(base, results, errors, lock) for _ in emails]
        for client, email in zip(clients, emails, strict=True):
            client.log_in(email)
        started = time.monotonic()
        importer = subprocess.Popen(  # noqa: S603 -- our own command
            [sys.executable, "-m", "followthrough", "import", "linkedin", str(csv_path),
             "--workspace", SLUG, *data_dir],
            # A file, not a pipe nobody reads until the end: a full pipe would stop the
            # import mid-batch, holding the database.
            stdout=(args.scratch / "import.log").open("w"), stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        wait_for_import_start(args.scratch, batches_before, importer, args.warmup)
        print(f"the writers start {time.monotonic() - started:.1f} s after the import")
        created: list[str] = []
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=writer,
                args=(client, email, n, until, created, lock),
            )
            for n, (client, email) in enumerate(zip(clients, emails, strict=True))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        import_running = importer.poll() is None
        importer.wait()
        output = (args.scratch / "import.log").read_text()
        import_seconds = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=20)

    with sqlite3.connect(args.scratch / DB) as db:
        found = {
            name
            for (name,) in db.execute(
                "SELECT last_name FROM people_person WHERE first_name = 'Bench' "
                "AND last_name LIKE 'Writer%'"
            )
        }
    lost = [name for name in created if name not in found]
    print(f"\n{args.writers} writers for {args.seconds:.0f} s during a {args.rows:,}-row import")
    print(f"the import was still running when the writers stopped: {import_running}")
    print(f"the import took {import_seconds:.1f} s; its last lines:")
    print("  " + "\n  ".join(output.strip().splitlines()[-4:]))
    print("(log in: before the import, one after another)")
    for kind in ("log in", "log in (during)", "form page", "create person", "read page"):
        print(f"{kind:>14}: {percentiles(results[kind])}")
    everything = [v for kind, values in results.items() if kind != "log in" for v in values]
    print(f"{'all during':>14}: {percentiles(everything)}")
    print(f"errors: {sum(errors.values())} {dict(errors) if errors else ''}")
    print(f"people created: {len(created)}; lost writes: {len(lost)} {lost[:5] if lost else ''}")


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=5).read()  # noqa: S310
            return
        except OSError:
            if server.poll() is not None:
                sys.exit("serve ended: see serve.log in the scratch directory")
            time.sleep(0.5)
    sys.exit("serve did not answer within 120 s")


if __name__ == "__main__":
    main()
