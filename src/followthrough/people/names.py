"""How a person's name is written and compared: one rule each, used by the models, the
duplicates page and the fast import writers alike."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Two names match at this rapidfuzz ratio (0 to 100) of their `name_key`s or above.
NAME_MATCH_CUTOFF = 90
_NOT_WORD = re.compile(r"[\W_]+")


def full_name(first: str, last: str) -> str:
    """The name as shown and sorted: first and last name with one space, no padding."""
    return f"{first} {last}".strip()


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A name folded for comparison: no accents, lower case, punctuation as spaces,
    words sorted (so comparing keys with `fuzz.ratio` is `token_sort_ratio`)."""
    folded = name.lower()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(sorted(_NOT_WORD.sub(" ", folded).split()))
