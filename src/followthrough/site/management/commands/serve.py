"""`followthrough serve`: migrate, collect static files, and serve with Waitress."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from followthrough.site.housekeeping import housekeeping
from followthrough.site.management.commands.worker import PARENT_PID_ENV
from followthrough.site.supervisor import WorkerSupervisor
from followthrough.workspaces.periodic import recover_interrupted

MAX_REQUEST_BODY = 64 * 1024 * 1024


def _start_worker() -> subprocess.Popen:
    """The background worker, as a child process: it needs its own main thread for its
    signal handling, and dies with the server. It inherits the data directory."""
    return subprocess.Popen(
        [sys.executable, "-m", "followthrough", "worker", "--exit-with-parent"],
        env={**os.environ, PARENT_PID_ENV: str(os.getpid())},
    )


def _log_to(stream: Any) -> None:
    """The supervisor's news (a worker died, and why; it runs again) on serve's output."""
    log = logging.getLogger("followthrough.serve")
    if not log.handlers:
        log.addHandler(logging.StreamHandler(stream))
        log.setLevel(logging.INFO)
        log.propagate = False  # once, not again through the root logger's console


class Command(BaseCommand):
    help = (
        "Run Followthrough: applies migrations, then serves the app with the Waitress "
        "WSGI server (static files included). With --demo, loads the demo workspace first "
        "and prints its login. Data lives in the data directory (--data-dir or "
        "FOLLOWTHROUGH_DATA_DIR)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Load (or refresh) the demo workspace and print its login.",
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to listen on (default 8000)."
        )
        parser.add_argument(
            "--threads", type=int, default=8, help="Worker threads of the web server (default 8)."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background worker beside the web server.",
        )
        parser.add_argument(
            "--data-dir",
            help="Directory for the database, secret key and uploads.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        # The key is read (or made) at its first use: make that now, before the worker
        # starts, so a key file that cannot be written stops the start, not a log-in.
        str(settings.SECRET_KEY)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        done = housekeeping()
        # Only now: WhiteNoise indexes the collected files when the application loads.
        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()

        host, port = options["host"], options["port"]
        if host not in ("0.0.0.0", "::") and host not in settings.ALLOWED_HOSTS:  # noqa: S104
            settings.ALLOWED_HOSTS.append(host)
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        base_url = f"http://{shown_host}:{port}"
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        if done.uploads or done.deletions:
            self.stdout.write(f"Housekeeping: {done.summary()}.")
        if options["demo"]:
            from followthrough.site.demo import demo_load

            result = demo_load()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo workspace ready: {base_url}/w/{result.workspace.slug}/\n"
                    f"  log in as {result.email} with password {result.password}"
                )
            )
        elif not get_user_model().objects.exists():
            self.stdout.write(f"First visit: create your account at {base_url}/accounts/signup/")
        self.stdout.write(
            self.style.SUCCESS(f"Followthrough is running at {base_url}/ (Ctrl+C to stop)")
        )
        # What a worker or command that died left half done (an import still "running"),
        # ended before anyone sees it; the worker does it again at its start and every minute.
        recover_interrupted()
        worker = None
        if not options["no_worker"]:
            _log_to(self.stderr)
            worker = WorkerSupervisor(_start_worker)
            worker.start()
        # A plain SIGTERM would end this process without `finally`, orphaning the worker.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            serve(
                application,
                host=host,
                port=port,
                threads=options["threads"],
                ident="Followthrough",
                # Uploads are read whole before a form can judge them: cap them at the door.
                max_request_body_size=MAX_REQUEST_BODY,
                **_proxy_options(),
            )
        finally:
            if worker is not None:
                worker.stop()


def _proxy_options() -> dict[str, Any]:
    """waitress's options for the trusted reverse proxy (settings.TRUSTED_PROXY), if any:
    forwarded headers are read from it alone, and dropped when anyone else sends them."""
    if not settings.TRUSTED_PROXY:
        return {}
    return {
        "trusted_proxy": settings.TRUSTED_PROXY,
        "trusted_proxy_count": settings.TRUSTED_PROXY_COUNT,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True,
    }
