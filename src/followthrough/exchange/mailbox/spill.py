"""Messages set aside on disk until the first pass is done: received mail is logged only
after every sent message of the source, so a reply never comes before what it answers,
while the file is read once and memory stays flat."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from types import TracebackType

from followthrough.exchange.formats.mail.record import MessageRecord


class Spill:
    """A temporary file of records (without what matching does not need: body snippet,
    recipients, warnings), read back in the order they were added."""

    def __init__(self) -> None:
        # Closed by `close` (the service uses the spill as a context manager).
        self._file = tempfile.TemporaryFile(prefix="followthrough-mail-")  # noqa: SIM115
        self.count = 0

    def add(self, record: MessageRecord) -> None:
        slim = replace(record, snippet="", to=(), cc=(), warnings=(), labels=())
        pickle.dump(slim, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[MessageRecord]:
        self._file.seek(0)
        for _ in range(self.count):
            # Our own file, written just now by this process: nothing foreign is unpickled.
            yield pickle.load(self._file)  # noqa: S301

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spill:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
