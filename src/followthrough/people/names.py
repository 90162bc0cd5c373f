"""How a person's name is written and compared: one rule each, used by the models, the
duplicates page and the fast import writers alike."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rapidfuzz.utils import default_process

# Two names match at this rapidfuzz ratio (0 to 100) of their `name_key`s or above.
NAME_MATCH_CUTOFF = 90


def full_name(first: str, last: str) -> str:
    """The name as shown and sorted: first and last name with one space, no padding."""
    return f"{first} {last}".strip()


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A name folded for comparison: no accents, lower case, punctuation as spaces,
    words sorted (so comparing keys with `fuzz.ratio` is `token_sort_ratio`)."""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name)
        name = "".join(c for c in name if not unicodedata.combining(c))
    # rapidfuzz's own folding (in C): lower case, anything but letters and digits a space.
    return " ".join(sorted(default_process(name).split()))
