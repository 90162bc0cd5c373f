"""Who runs an import: the process recorded on a running `ImportBatch`, and whether it
is still there.

A running batch keeps `counts["runner"]`: the host name, the kernel's boot id, the pid
and the process's start time (field 22 of `/proc/<pid>/stat`, in clock ticks since
boot), so a pid the kernel handed to another process since is not mistaken for the
import's, nor is a pid from before a reboot. `counts["beat"]` is the time of the last
batch written. Recovery (`recovery.imports_recover_interrupted`) reads both.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from followthrough.processes import process_ended, this_process

RUNNER = "runner"
BEAT = "beat"
# A batch run on another host cannot be checked from here: it counts as gone once it
# has written nothing for this long (a batch of 1,000 rows takes well under a second).
OTHER_HOST_SILENT = timedelta(minutes=30)


def this_runner() -> dict[str, Any]:
    """This process, as a running batch records it."""
    return this_process()


def runner_gone(counts: dict[str, Any], *, now: datetime | None = None) -> bool:
    """Whether the process a running batch names is gone: not on this machine since
    its last boot, its pid now another process's (or none), or, on another host, silent
    for `OTHER_HOST_SILENT`. A batch naming no process (left by an older version, or
    killed before it named one) counts as gone."""
    runner = counts.get(RUNNER)
    if not isinstance(runner, dict) or not runner.get("pid"):
        return True
    ended = process_ended(runner)
    if ended is None:
        beat = _parse(counts.get(BEAT))
        return beat is None or (now or timezone.now()) - beat > OTHER_HOST_SILENT
    return ended


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def beat() -> str:
    return timezone.now().isoformat()
