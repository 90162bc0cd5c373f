"""Which process is which, across restarts: an identity that a reused pid cannot fake.

A background job records the identity of the process that runs it (the worker, or a
command). Whoever finds the job unfinished later asks `process_gone(identity)`: on the
same host, the process is gone when no process has that pid with that start time (Linux
reuses pids, so the pid alone could point at a stranger).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

_HOST = socket.gethostname()


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc/PID/stat, field 22), or
    None when there is no such process (or no /proc to ask)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or parentheses.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def process_identity(pid: int | None = None) -> str:
    """`host:pid:start` of this process (or of `pid` on this host); at most 64 characters."""
    pid = os.getpid() if pid is None else pid
    start = _start_ticks(pid) or "0"
    tail = f":{pid}:{start}"
    return _HOST[: 64 - len(tail)] + tail


def process_gone(identity: str) -> bool:
    """Whether the process `identity` names has certainly ended. False when it may still
    run: it is alive, it runs on another host (whose processes we cannot see), or the
    identity is not one of ours."""
    parts = identity.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host, pid, start = parts[0], int(parts[1]), parts[2]
    if not host or host != _HOST[: len(host)] or not Path("/proc/self/stat").exists():
        return False
    return _start_ticks(pid) != start
