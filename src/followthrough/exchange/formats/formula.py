"""CSV formula injection: the one rule the exporter applies and the importer reverses.

A cell that a spreadsheet would run as a formula (starting with = + - @, tab, CR or NUL)
is written with a leading `'`; so is a cell that already looks guarded (apostrophes then
a trigger), which makes `unneutralize` the exact inverse of `neutralize`. Phone numbers
are treated alike (`+49 30 1234` is written `'+49 30 1234`): see docs/import-export.md.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
_FIRST = frozenset("=+-@\t\r\0'")
# A value that looks guarded already: apostrophes, then a trigger — or a line feed,
# which the importer counts as one (a reader gives a CR back as LF).
_NEEDS_GUARD = re.compile(r"'*[=+\-@\t\r\0]|'+\n")
# On the way in, readers have turned CR into LF, so LF counts as a trigger there.
_GUARDED = re.compile(r"'+[=+\-@\t\r\n\0]")


def neutralize(value: str) -> str:
    """The cell a spreadsheet shows as text: `'` before a value that would start a
    formula (or that already looks neutralized)."""
    if value[:1] not in _FIRST:  # the common case, decided without a regex
        return value
    return "'" + value if _NEEDS_GUARD.match(value) else value


def unneutralize(value: str) -> str:
    """Undo `neutralize` on an imported cell: drop the one `'` it added, nothing else
    (`'tis` and `O'Neill` stay as they are)."""
    return value[1:] if _GUARDED.match(value) else value
