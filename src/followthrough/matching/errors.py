"""What the engines raise, importable without the semantic extra."""

from __future__ import annotations


class NotReady(Exception):
    """More phrases lack vectors than may be embedded here and now (a web request): the
    worker embeds them instead."""

    def __init__(self, missing: int) -> None:
        super().__init__(f"{missing} phrases to embed")
        self.missing = missing
