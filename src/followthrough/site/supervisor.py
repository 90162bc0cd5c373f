"""`serve`'s background worker, kept running: restarted with back-off when it dies.

The worker is a child process (it needs its own main thread for its signal handling).
If it dies — killed, out of memory, a crash — web imports, e-mail and digests would
silently stop; the supervisor logs why it ended and starts a new one, after 1 s, then
waiting longer each time it dies again soon (up to 30 s), and from 1 s again once a
worker has run a minute. The new worker ends cleanly what the dead one left half done
(`workspaces.periodic.recover_interrupted`).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("followthrough.serve")

BACK_OFF = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
HEALTHY_AFTER = 60.0  # seconds a worker must run for the back-off to start over


def exit_reason(code: int) -> str:
    """ "killed by SIGKILL", "exited with status 1"…"""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


class WorkerSupervisor:
    """Starts `spawn()` and starts it again whenever it ends, until `stop()`."""

    def __init__(
        self,
        spawn: Callable[[], subprocess.Popen],
        *,
        back_off: tuple[float, ...] = BACK_OFF,
        healthy_after: float = HEALTHY_AFTER,
    ) -> None:
        self._spawn = spawn
        self._back_off = back_off
        self._healthy_after = healthy_after
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._thread = threading.Thread(target=self._watch, daemon=True, name="worker-watch")

    def start(self) -> None:
        self.process = self._spawn()
        self._thread.start()

    def _watch(self) -> None:
        failures = 0
        while True:
            process = self.process
            assert process is not None
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            failures = 0 if time.monotonic() - started >= self._healthy_after else failures
            pause = self._back_off[min(failures, len(self._back_off) - 1)]
            failures += 1
            logger.error(
                "The background worker (pid %s) %s; starting a new one in %.0f s.",
                process.pid,
                exit_reason(code),
                pause,
            )
            if self._stopping.wait(pause):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self.process = self._spawn()
                self.restarts += 1
            logger.warning("The background worker is running again (pid %s).", self.process.pid)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the worker (SIGTERM: it finishes its current task's step and ends; SIGKILL
        after `timeout`) and start no other."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
