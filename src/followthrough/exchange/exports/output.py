"""What the `export` and `backup` commands share: `ExportError` for a choice that cannot be
met, and writing an export to a file or standard output (`write_output`). The workspace a
command names is `workspaces.commands.command_workspace`'s."""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


class ExportError(Exception):
    """A request to export that cannot be met (unknown workspace, format or option)."""


@dataclass
class Written:
    """What `write_output` wrote: where, and how many bytes."""

    target: str
    size: int


def write_output(chunks: Iterable[str], *, path: str | None, stdout: Any = None) -> Written:
    """Write text chunks as UTF-8 to `path`, or to standard output when `path` is empty.

    A file is written beside its final name and moved into place when complete, so a
    failed export never leaves a truncated file behind (nor replaces a good one).
    """
    if not path or path == "-":
        try:
            return Written("standard output", _write_stream(chunks, stdout))
        finally:
            # A reader gone (a broken pipe) leaves a generator's snapshot open: end it
            # now, while the connection is still there, not when Python exits.
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
    target = Path(path).expanduser()
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Is a directory (give a file name)", str(target))
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, "No such directory", str(target.parent))
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, moved on success
        "wb", dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
    )
    try:
        with handle:
            size = sum(handle.write(chunk.encode("utf-8")) for chunk in chunks)
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return Written(str(target), size)


def _write_stream(chunks: Iterable[str], stdout: Any) -> int:
    stream: IO[Any] = getattr(stdout, "_out", None) or stdout or sys.stdout
    binary = getattr(stream, "buffer", None)
    size = 0
    for chunk in chunks:
        data = chunk.encode("utf-8")
        if binary is not None:
            binary.write(data)
        else:
            stream.write(chunk)
        size += len(data)
    (binary or stream).flush()
    return size
