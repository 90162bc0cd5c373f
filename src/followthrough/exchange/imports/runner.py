"""Who runs an import: the process recorded on a running `ImportBatch`, and whether it
is still there.

A running batch keeps `counts["runner"]`: the host name, the kernel's boot id, the pid
and the process's start time (field 22 of `/proc/<pid>/stat`, in clock ticks since
boot), so a pid the kernel handed to another process since is not mistaken for the
import's, nor is a pid from before a reboot. `counts["beat"]` is the time of the last
batch written. Recovery (`recovery.imports_recover_interrupted`) reads both.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

RUNNER = "runner"
BEAT = "beat"
# A batch run on another host cannot be checked from here: it counts as gone once it
# has written nothing for this long (a batch of 1,000 rows takes well under a second).
OTHER_HOST_SILENT = timedelta(minutes=30)


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot, or "" (no /proc, or gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def this_runner() -> dict[str, Any]:
    """This process, as a running batch records it."""
    pid = os.getpid()
    return {
        "host": socket.gethostname(),
        "boot": _boot_id(),
        "pid": pid,
        "started": _start_time(pid),
    }


def runner_gone(counts: dict[str, Any], *, now: datetime | None = None) -> bool:
    """Whether the process a running batch names is gone: not on this machine since
    its last boot, its pid now another process's (or none), or, on another host, silent
    for `OTHER_HOST_SILENT`. A batch naming no process (left by an older version, or
    killed before it named one) counts as gone."""
    runner = counts.get(RUNNER)
    if not isinstance(runner, dict) or not runner.get("pid"):
        return True
    if runner.get("host") != socket.gethostname():
        beat = _parse(counts.get(BEAT))
        return beat is None or (now or timezone.now()) - beat > OTHER_HOST_SILENT
    if runner.get("boot") and runner.get("boot") != _boot_id():
        return True
    pid = int(runner["pid"])
    if pid == os.getpid():
        return runner.get("started") != _start_time(pid)  # our own pid: gone unless us
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # someone else's process: it exists
    started = runner.get("started")
    return bool(started) and started != _start_time(pid)


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def beat() -> str:
    return timezone.now().isoformat()
