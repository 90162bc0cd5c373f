"""The upper limits of what a member types, one number per kind of text, so every form
says the same and no page grows past reading: forms give each limit as `max_length` or
`max_value` (a field-level message, and the browser's own `maxlength`), and
`tests/test_limits.py` checks that no form field is without one."""

from __future__ import annotations

NOTE_MAX = 20_000  # a note, a description, an e-mail's body: Markdown a member writes
TEXT_MAX = 5_000  # a mission, what we offer or need: a paragraph or a few
LINES_MAX = 10_000  # a box of one value per line (e-mails, phones, links, addresses)
LINE_MAX = 200  # a name, a title, a summary: one line
TAGS_MAX = 50  # tags (or focus areas) on one person or organization
PASSWORD_MAX = 1_024  # hashing a longer one costs time for nothing
# A row's id posted back (a hidden field, a button's value): past this a database cannot
# hold it, so a forged one would be an error instead of "not found".
ID_MAX = 2**63 - 1
CADENCE_MAX_DAYS = 730  # keep in touch at least every two years
FOLD_NOTE_AT = 1_500  # characters: a longer note is shown folded, with "Show all"
