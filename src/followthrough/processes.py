"""Which process is which, across restarts: records that a reused pid cannot fake.

Work that outlives a request (an import, a restore, a queued task) records the process
that runs it. Whoever finds the work unfinished later asks whether that process has
ended. On the same host a process has ended when no process has its pid with its start
time (Linux reuses pids, so the pid alone could point at a stranger), or when the
machine has booted since; a zombie has ended too. Processes on another host cannot be
seen from here: the caller decides by the work's own heartbeat.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any


def host_name() -> str:
    return socket.gethostname()


def boot_id() -> str:
    """The kernel's id of this boot ("" without /proc)."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc/PID/stat, field 22);
    None when there is no such process, it is a zombie, or there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or parentheses.
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) <= 19 or fields[0] == "Z":
        return None
    return fields[19]


def this_process() -> dict[str, Any]:
    """This process, as work records who runs it."""
    pid = os.getpid()
    return {"host": host_name(), "boot": boot_id(), "pid": pid, "started": start_ticks(pid)}


def process_ended(record: Any) -> bool | None:
    """Whether the process `record` (from `this_process`) names has ended: True or
    False on this host, None when that cannot be told here (another host)."""
    if not isinstance(record, dict) or type(record.get("pid")) is not int:
        return True  # names no process we could ever find
    if record.get("host") != host_name():
        return None
    if not Path("/proc/self/stat").exists():
        return None  # no /proc to ask (not Linux)
    if record.get("boot") and record["boot"] != boot_id():
        return True
    started = start_ticks(record["pid"])
    return started is None or started != record.get("started")


def process_identity(pid: int | None = None) -> str:
    """`host:pid:start` of this process (or of `pid` on this host), at most 64 characters:
    the worker's id in the task queue."""
    pid = os.getpid() if pid is None else pid
    tail = f":{pid}:{start_ticks(pid) or 0}"
    return host_name()[: 64 - len(tail)] + tail


def process_gone(identity: str) -> bool:
    """Whether the process `identity` (from `process_identity`) names has certainly
    ended. False when it may still run: alive, on another host, or not an identity of
    ours (django-tasks' own random worker ids)."""
    parts = identity.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[0]:
        return False
    host, pid, start = parts[0], int(parts[1]), parts[2]
    if host != host_name()[: len(host)]:
        return False
    ended = process_ended({"host": host_name(), "pid": pid, "started": start})
    return bool(ended)
