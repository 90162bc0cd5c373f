"""The background worker survives: `serve` restarts it when it dies, and it waits out a
database another process holds instead of dying."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from followthrough.site.supervisor import WorkerSupervisor, exit_reason
from tests.test_serve import _workers_of, server, server_env  # noqa: F401 -- the fixtures


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_that_dies_is_started_again_and_says_why(caplog):
    supervisor = WorkerSupervisor(_sleeper, back_off=(0.2, 0.5), healthy_after=60)
    supervisor.start()
    try:
        first = supervisor.process
        os.kill(first.pid, signal.SIGKILL)
        assert _wait_for(lambda: supervisor.process is not first, 5)
        assert supervisor.process.poll() is None
        assert "killed by SIGKILL" in caplog.text
        second = supervisor.process
        second.terminate()  # dying again soon: the next wait is longer
        assert _wait_for(lambda: supervisor.process is not second, 5)
        assert supervisor.restarts == 2
    finally:
        supervisor.stop()
    assert supervisor.process.poll() is not None
    time.sleep(0.6)
    assert supervisor.restarts == 2, "a stopped supervisor started another worker"


def test_the_exit_is_told_in_words():
    assert exit_reason(-9) == "killed by SIGKILL"
    assert exit_reason(1) == "exited with status 1"


def _worker_pids(port: int) -> list[int]:
    """Serve's worker, not the processes it forks (an import's reader shares its command
    line and environment)."""
    found = _workers_of(port)
    return [pid for pid in found if _parent(pid) not in found]


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rfind(")") + 2 :].split()[1])


def _heartbeat_pids(data_dir: Path) -> set[int]:
    with sqlite3.connect(data_dir / "followthrough.sqlite3", timeout=10) as db:
        return {pid for (pid,) in db.execute("SELECT pid FROM reminders_workerheartbeat")}


def test_serve_starts_a_new_worker_within_10_s_of_a_kill_9(server):  # noqa: F811
    base, data_dir = server
    port = int(base.rsplit(":", 1)[1])
    assert _wait_for(lambda: len(_worker_pids(port)) == 1, 30), "serve started no worker"
    [first] = _worker_pids(port)
    assert _wait_for(lambda: first in _heartbeat_pids(data_dir), 30)
    os.kill(first, signal.SIGKILL)
    killed_at = time.monotonic()
    assert _wait_for(lambda: _worker_pids(port) not in ([], [first]), 10)
    [second] = _worker_pids(port)
    # Back at work: its heartbeat (written at its start, before it takes tasks) is there.
    assert _wait_for(lambda: second in _heartbeat_pids(data_dir), 15)
    assert time.monotonic() - killed_at < 10 + 15


@pytest.fixture
def worker_dir(tmp_path: Path) -> Path:
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "followthrough", "migrate", "-v0"], env=env, check=True)
    return tmp_path


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(FOLLOWTHROUGH_DATA_DIR=str(data_dir), FOLLOWTHROUGH_DB_BUSY_TIMEOUT="1")
    return env


def _task_status(data_dir: Path, task_id: str) -> str:
    with sqlite3.connect(data_dir / "followthrough.sqlite3", timeout=10) as db:
        row = db.execute(
            # A UUID, kept as 32 hex digits.
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?",
            (task_id.replace("-", ""),),
        ).fetchone()
    return row[0] if row else ""


def test_the_worker_waits_out_a_database_held_past_its_busy_timeout(worker_dir):
    """A CLI import or restore in another process may hold SQLite's write lock longer
    than the busy timeout (1 s here): the worker used to die of "database is locked"."""
    env = _env(worker_dir)
    worker = subprocess.Popen(
        [sys.executable, "-m", "followthrough", "worker", "--interval", "0.2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert _wait_for(lambda: _heartbeat_pids(worker_dir), 30), "the worker did not start"
        holder = sqlite3.connect(worker_dir / "followthrough.sqlite3", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        time.sleep(4)  # four busy timeouts
        holder.execute("COMMIT")
        holder.close()
        assert worker.poll() is None, worker.stdout.read()
        enqueue = (
            "from followthrough.reminders.tasks import send_digest_task; "
            "print(send_digest_task.enqueue(0).id)"
        )
        task_id = subprocess.run(  # noqa: S603 -- our own command
            [sys.executable, "-m", "followthrough", "shell", "-c", enqueue],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.split()[-1]  # fmt: skip
        done = _wait_for(lambda: _task_status(worker_dir, task_id) == "SUCCESSFUL", 20)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=10)[0]
    assert done, output
    assert "database is locked" in output
