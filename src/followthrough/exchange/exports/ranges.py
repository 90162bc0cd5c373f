"""Serving a prepared file as a download, whole or one byte range of it.

`FileResponse` hands an open file to the WSGI server's `wsgi.file_wrapper`, so waitress
sends it from its I/O loop and the application thread is free at once; Django 5.2's
`FileResponse` has no ranges, so a single `Range: bytes=…` (parsed by werkzeug) is
answered with `206` and the slice of the file, an unsatisfiable one with `416`. Several
ranges, another unit, a malformed header or an `If-Range` that no longer matches get the
whole file (`200`), as RFC 9110 allows.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from werkzeug.datastructures import Range
from werkzeug.http import parse_if_range_header, parse_range_header


class FileSlice(io.RawIOBase):
    """Bytes `start` to `stop` of an open file as a seekable file of their own: Django
    computes the Content-Length from it and stops there, and waitress's file wrapper
    (which seeks and tells) sends just the slice."""

    def __init__(self, file: BinaryIO, start: int, stop: int) -> None:
        super().__init__()
        self._file, self._start, self._stop = file, start, stop
        file.seek(start)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._file.tell() - self._start

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: self._start, io.SEEK_CUR: self._file.tell(), io.SEEK_END: self._stop}
        position = min(max(base[whence] + offset, self._start), self._stop)
        self._file.seek(position)
        return position - self._start

    def read(self, size: int | None = -1) -> bytes:
        left = self._stop - self._file.tell()
        if left <= 0:
            return b""
        return self._file.read(left if size is None or size < 0 else min(size, left))

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._file.close()
        super().close()


def file_download(
    request: HttpRequest, path: Path, *, filename: str, content_type: str, etag: str
) -> HttpResponseBase:
    """`path` as an attachment named `filename`; one byte range of it when asked for.
    `etag` names this file's content (it never changes): `If-Range` compares it."""
    size = path.stat().st_size
    requested = parse_range_header(request.headers.get("Range"))
    if_range = request.headers.get("If-Range")
    if requested is not None and if_range and parse_if_range_header(if_range).etag != etag:
        requested = None  # the client holds another version: send this one whole
    span = requested.range_for_length(size) if requested is not None else None
    if span is None and requested is not None and _single_byte_range(requested):
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    file: BinaryIO = path.open("rb")
    if span is not None:
        file = FileSlice(file, *span)  # type: ignore[assignment]
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    if span is not None:
        response.status_code = 206
        response["Content-Range"] = f"bytes {span[0]}-{span[1] - 1}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = f'"{etag}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _single_byte_range(requested: Range) -> bool:
    return requested.units == "bytes" and len(requested.ranges) == 1
