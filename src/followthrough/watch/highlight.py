"""Which news touches our own work, and why, in plain words: "mentions “tutors” and
“volunteer” — you need volunteer tutors for evening sessions".

Read with the matching room's analysis (the same stemming, filler words and kinds of help
as mission intersection): a news item touches one of our needs when it covers at least
`NEED_COVERED` of the need's weight (its words by how rare they are in the workspace, a
kind of help such as "tutoring" or "transport" as much as a rare word), and one of our
focus areas when it names all of the area's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from followthrough.matching.analysis import CONCEPT_OF_STEM, stem, terms, words
from followthrough.matching.lexical import PHRASE_MATCH, Scorer, and_list, in_sentence
from followthrough.matching.profiles import own_profile, weights
from followthrough.workspaces.models import Workspace

# The share of a need's weight an item must mention (the phrase-meets-phrase bar of the
# lexical engine, applied to the need alone: an item is long, a need is a few words).
NEED_COVERED = max(PHRASE_MATCH, 0.45)
REASONS_SHOWN = 2


@dataclass(frozen=True)
class _Need:
    phrase: str
    terms: frozenset[str]  # stems and kinds of help ("~tutoring"), topics left out


class Highlighter:
    """Says why a text touches our own profile's needs or focus areas, or nothing."""

    def __init__(self, found: Scorer) -> None:
        own = found.own  # our own profile as the engine read it: needs, focus areas
        self._needs = [_Need(phrase, frozenset(t)) for phrase, t in own.needs]
        self._focus = {key: name for key, name in own.focus.items() if key}
        self._weight = found.weight

    def reasons(self, text: str) -> tuple[str, ...]:
        """Up to `REASONS_SHOWN` reasons, the need best covered first, then focus areas."""
        said = _Said(text)
        found: list[tuple[float, str]] = []
        for need in self._needs:
            shared = need.terms & said.terms
            total = sum(map(self._weight, need.terms)) or 1.0
            covered = sum(map(self._weight, shared)) / total
            if covered >= NEED_COVERED:
                mentioned = and_list([f"“{word}”" for word in said.surface(shared)])
                found.append(
                    (covered, f"mentions {mentioned} — you need {in_sentence(need.phrase)}")
                )
        found.sort(key=lambda pair: -pair[0])
        reasons = [reason for _, reason in found]
        for key, name in self._focus.items():
            if set(key.split()) <= said.terms:
                reasons.append(f"mentions “{name}” — one of your focus areas")
        return tuple(dict.fromkeys(reasons))[:REASONS_SHOWN]


class _Said:
    """A text's terms, and the word it used for each stem or kind of help."""

    def __init__(self, text: str) -> None:
        self.terms = frozenset(terms(text))
        self._words: dict[str, str] = {}
        for word in words(text):
            stemmed = stem(word)
            self._words.setdefault(stemmed, word)
            concept = CONCEPT_OF_STEM.get(stemmed)
            if concept is not None:
                self._words.setdefault(concept, word)

    def surface(self, shared: frozenset[str]) -> list[str]:
        """The text's own words for these terms (a kind of help only when no word of it
        was shared by stem), in the text's order."""
        plain = [t for t in shared if t[0] not in "~#"]
        covered = {CONCEPT_OF_STEM.get(t) for t in plain}
        chosen = plain + [t for t in shared if t[0] == "~" and t not in covered]
        found = {self._words[t] for t in chosen if t in self._words}
        order = list(self._words.values())
        return sorted(found, key=order.index)[:3]


def highlighter(*, workspace: Workspace) -> Highlighter | None:
    """The highlighter for the workspace's own profile; None when that profile is empty.
    Always the lexical engine, whatever the workspace's: a reason quotes words. Cost: our
    own profile and the workspace's term weights (a few small queries, weights cached)."""
    own = own_profile(workspace=workspace)
    return Highlighter(Scorer(own, weights(workspace))) if own is not None else None
