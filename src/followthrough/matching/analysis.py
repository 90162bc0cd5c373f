"""Text as the lexical engine reads it: phrases, stemmed terms without filler words, and
the concepts of `lexicon` they name. Pure functions, no database."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer

from followthrough.matching.lexicon import CONCEPTS, TOPICS

# Words that say nothing about what an organization does or has: English function words
# and the filler of profile forms ("we provide support to our community").
STOPWORDS = frozenset((
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "been", "being", "below", "between", "both", "but", "by", "can", "could", "did",
    "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had",
    "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "no", "nor", "not",
    "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own",
    "per", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
    "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "able",
    "access", "across", "based", "community", "communities", "every", "help", "helping",
    "including", "local", "many", "need", "needs", "needed", "offer", "offers", "offering",
    "organization", "organizations", "people", "program", "programs", "provide", "provides",
    "providing", "serve", "serves", "serving", "service", "services", "support", "supporting",
    "supports", "week", "weekly", "work", "works", "working", "year", "years",
))  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Where one offer or need ends and the next begins, in text typed into a form.
_PHRASE_BREAK = re.compile(r"\s*(?:[\n;•·]|,\s|\s-\s|\.\s)\s*")
# How people start an offer or a need on a form; a reason quotes what follows.
_LEAD_IN = re.compile(
    r"^(?:(?:we|they)\s+(?:can\s+|could\s+|would\s+)?"
    r"(?:offer|provide|have|share|lend|need|want|seek|are\s+looking\s+for|are\s+seeking)"
    r"|looking\s+for|seeking|offering|in\s+need\s+of)\s*:?\s+",
    re.IGNORECASE,
)
_local = threading.local()  # PyStemmer's stemmers must not be shared between threads


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def _concept_of_stem() -> dict[str, str]:
    """Stem → "~kind of help" or "#topic"."""
    found = {stem(word): f"#{name}" for name, words in TOPICS.items() for word in words}
    found |= {stem(word): f"~{name}" for name, words in CONCEPTS.items() for word in words}
    return found


CONCEPT_OF_STEM = _concept_of_stem()


def words(text: str) -> list[str]:
    """The text's words in lower case, without filler words and numbers."""
    return [w for w in _WORD.findall(text.casefold()) if w not in STOPWORDS and len(w) > 1]


def terms(text: str) -> list[str]:
    """Stemmed words, each followed by its concept ("~kind of help" or "#topic") when it
    names one."""
    known = _WORD_TERMS
    found: list[str] = []
    for word in _WORD.findall(text.casefold()):
        made = known.get(word)
        if made is None:
            made = _word_terms(word)
            if len(known) < _WORD_TERMS_KEPT:
                known[word] = made
        found += made
    return found


def _word_terms(word: str) -> tuple[str, ...]:
    """What one lower-case word adds to `terms`: nothing for filler, its stem, and the
    stem's concept when it names one."""
    if word in STOPWORDS or len(word) < 2:
        return ()
    stemmed = stem(word)
    concept = CONCEPT_OF_STEM.get(stemmed)
    return (stemmed,) if concept is None else (stemmed, concept)


# Each word's terms, worked out once per process (a profile is read word by word, and a
# directory of 20,000 uses a few thousand words; the bound keeps odd input from growing it).
_WORD_TERMS: dict[str, tuple[str, ...]] = {}
_WORD_TERMS_KEPT = 200_000


def phrases(text: str) -> list[str]:
    """The separate offers or needs of a free-text field: one a line, or separated by
    semicolons, bullets, commas or full stops."""
    found = (_LEAD_IN.sub("", p.strip(" .,-")) for p in _PHRASE_BREAK.split(text))
    return [p for p in found if p]
