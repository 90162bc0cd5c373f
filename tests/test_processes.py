"""Process identities (followthrough.processes): a reused pid is not the process it was."""

from __future__ import annotations

import os
import subprocess
import sys

from followthrough.processes import process_gone, process_identity


def test_this_process_is_not_gone():
    assert not process_gone(process_identity())


def test_a_process_that_ended_is_gone():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    identity = process_identity(child.pid)
    assert not process_gone(identity)
    child.kill()
    child.wait()
    assert process_gone(identity)


def test_a_reused_pid_with_another_start_time_is_gone():
    host, pid, start = process_identity().rsplit(":", 2)
    assert pid == str(os.getpid())
    assert process_gone(f"{host}:{pid}:{int(start) + 1}")


def test_a_process_on_another_host_or_an_unknown_id_is_not_called_gone():
    _, pid, start = process_identity().rsplit(":", 2)
    assert not process_gone(f"another-host.example:{pid}:{int(start) + 1}")
    assert not process_gone("a1b2c3d4e5f6")  # django-tasks' own random worker ids
    assert not process_gone("")
