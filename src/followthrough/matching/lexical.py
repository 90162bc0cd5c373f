"""The lexical engine: how another organization's profile intersects with ours, scored from
matching words (stemmed, with the concepts of `lexicon`), and explained.

Offers and needs are matched as separate fields, phrase against phrase, in both directions
(what they offer that we need, and what we offer that they need) — they weigh most. Then
similar missions, shared focus areas and the same place. Each part that adds to a score
adds a reason built from what matched; a score with no reason is never given.
Pure code: profiles in, matches out; `corpus_weights` makes the term weights of a set.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from followthrough.matching.analysis import phrases, stem, terms, words

_WORDS = re.compile(r"[^\W\d_]+")
# How much each part counts; offers meeting needs most ("which matter most").
WEIGHT_THEY_OFFER = 3.0
WEIGHT_WE_OFFER = 2.5
WEIGHT_MISSION = 1.5
WEIGHT_FOCUS = 1.0
WEIGHT_PLACE = 0.3
# Two phrases meet from this similarity on (0 to 1; 1 is the same words).
PHRASE_MATCH = 0.3
MISSION_MATCH = 0.12
# A concept ("~transport") weighs as much as an uncommon word: it bridges wordings.
CONCEPT_WEIGHT = 2.0


@dataclass(frozen=True)
class Profile:
    """What the engine reads of an organization; `offers` and `needs` are free text."""

    key: int | str
    name: str
    mission: str = ""
    focus_areas: tuple[str, ...] = ()
    offers: str = ""
    needs: str = ""
    city: str = ""


@dataclass(frozen=True)
class Match:
    key: int | str
    name: str
    score: float
    reasons: tuple[str, ...]


@dataclass
class _Read:
    """A profile analysed once: its phrases with their terms, mission terms, focus keys."""

    profile: Profile
    offers: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    needs: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    mission: Counter[str] = field(default_factory=Counter)
    focus: dict[str, str] = field(default_factory=dict)  # stemmed key → name as written


def read(profile: Profile) -> _Read:
    def split(text: str) -> list[tuple[str, frozenset[str]]]:
        # What an offer is about ("#topic") says nothing of what it is: left out here.
        found = [(p, frozenset(t for t in terms(p) if t[0] != "#")) for p in phrases(text)]
        return [(p, t) for p, t in found if t]

    focus = {" ".join(stem(w) for w in words(a)): a.strip() for a in profile.focus_areas}
    return _Read(
        profile,
        offers=split(profile.offers),
        needs=split(profile.needs),
        mission=Counter(terms(" ".join((profile.mission, *profile.focus_areas)))),
        focus={key: name for key, name in focus.items() if key},
    )


def corpus_weights(profiles: Iterable[Profile]) -> dict[str, float]:
    """Inverse document frequency of every term over these profiles (one document each):
    a word every organization uses weighs little."""
    counts: Counter[str] = Counter()
    total = 0
    for profile in profiles:
        total += 1
        text = " ".join((profile.mission, *profile.focus_areas, profile.offers, profile.needs))
        counts.update(set(terms(text)))
    return {term: math.log(1 + (total - n + 0.5) / (n + 0.5)) for term, n in counts.items()}


class _Weights(dict[str, float]):
    """Term weights: a concept or topic weighs `CONCEPT_WEIGHT`, a term no one else uses
    `default` (remembered once asked)."""

    def __init__(self, weights: dict[str, float], *, default: float) -> None:
        super().__init__((t, w) for t, w in weights.items() if t[0] not in "~#")
        self.default = default

    def __missing__(self, term: str) -> float:
        found = self[term] = CONCEPT_WEIGHT if term[0] in "~#" else self.default
        return found


class Scorer:
    """Scores profiles against one own profile with the weights of a corpus."""

    def __init__(self, own: Profile, weights: dict[str, float]) -> None:
        self.own = read(own)
        self.weights = _Weights(weights, default=max(weights.values(), default=1.0))
        # A term's weight, looked up a million times in a full re-score: a dict's own get.
        self.weight = self.weights.__getitem__
        self._names = proper_words(own)
        # Stem → our word for it, read once: a mission reason shows our own wording.
        self._our_words = {stem(w): w for w in words(" ".join((own.mission, *own.focus_areas)))}
        # Our own phrases' weights and mission's length, read once (theirs once a profile).
        self._masses = {t: self._mass(t) for _, t in (*self.own.offers, *self.own.needs)}
        self._mission_norm = self._norm(self.own.mission)

    def _mass(self, terms: frozenset[str]) -> float:
        return sum(map(self.weight, terms))

    def _meet(
        self,
        offers: Sequence[tuple[str, frozenset[str]]],
        needs: Sequence[tuple[str, frozenset[str]]],
    ) -> list[tuple[float, str, str]]:
        """(similarity, offer, need) of the best offer for each need, best first. The
        similarity of two phrases: the weight of their shared terms over the geometric
        mean of their weights."""
        if not offers or not needs:
            return []
        weighed = [
            (offer, terms, self._masses.get(terms) or self._mass(terms)) for offer, terms in offers
        ]
        met = []
        for need, need_terms in needs:
            need_mass = self._masses.get(need_terms) or self._mass(need_terms)
            best, best_offer = 0.0, ""
            for offer, offer_terms, mass in weighed:
                shared = offer_terms & need_terms
                if shared:
                    similarity = self._mass(shared) / math.sqrt(mass * need_mass)
                    if similarity > best:
                        best, best_offer = similarity, offer
            if best >= PHRASE_MATCH:
                met.append((best, best_offer, need))
        return sorted(met, reverse=True)

    def _mission(self, other: _Read) -> tuple[float, list[str]]:
        """Cosine similarity of the missions' weighted terms (topics and kinds of help
        included), and the shared words, weightiest first."""
        mine, theirs = self.own.mission, other.mission
        shared = [t for t in mine if t in theirs]
        if not shared:
            return 0.0, []
        weight = self.weight
        dot = sum(mine[t] * theirs[t] * weight(t) ** 2 for t in shared)
        shown = sorted((t for t in shared if t[0] not in "~#"), key=weight, reverse=True)
        return dot / (self._mission_norm * self._norm(theirs) or 1.0), shown

    def _norm(self, counter: Counter[str]) -> float:
        weight = self.weight
        return math.sqrt(sum((n * weight(t)) ** 2 for t, n in counter.items()))

    def _surface(self, stems: list[str]) -> list[str]:
        """Our own words for these stems, as we wrote them."""
        return [self._our_words.get(s, s) for s in stems]

    def score(self, profile: Profile) -> Match | None:
        """The match of `profile` with its reasons, or None when nothing intersects."""
        other = read(profile)
        score, reasons = 0.0, []
        they_offer = self._meet(other.offers, self.own.needs)[:2]
        we_offer = self._meet(self.own.offers, other.needs)[:2]
        names = self._names | proper_words(profile) if they_offer or we_offer else self._names
        for similarity, offer, need in they_offer:
            score += WEIGHT_THEY_OFFER * similarity
            reasons.append(
                f"they offer {in_sentence(offer, names)} — you need {in_sentence(need, names)}"
            )
        for similarity, offer, need in we_offer:
            score += WEIGHT_WE_OFFER * similarity
            reasons.append(
                f"you offer {in_sentence(offer, names)} — they need {in_sentence(need, names)}"
            )
        shared_focus = [name for key, name in other.focus.items() if key in self.own.focus]
        if shared_focus:
            score += WEIGHT_FOCUS * min(len(shared_focus), 2) / 2
        similarity, shared = self._mission(other)
        if similarity >= MISSION_MATCH:
            score += WEIGHT_MISSION * similarity
        if shared_focus:
            reasons.append("both work on " + and_list(shared_focus[:2]))
        elif similarity >= MISSION_MATCH and shared:
            reasons.append("both work on " + and_list(self._surface(shared[:2])))
        city = profile.city.strip()
        if city and city.casefold() == self.own.profile.city.strip().casefold() and reasons:
            score += WEIGHT_PLACE
            reasons.append(f"also in {city}")
        if not reasons:
            return None
        return Match(profile.key, profile.name, round(score, 4), tuple(reasons))

    def rank(self, profiles: Iterable[Profile], *, limit: int | None = None) -> list[Match]:
        """The profiles that intersect with ours, best first (ties by name)."""
        found = (m for p in profiles if p.key != self.own.profile.key and (m := self.score(p)))
        return rank(found, limit=limit)


def rank(matches: Iterable[Match], *, limit: int | None = None) -> list[Match]:
    """Matches best first, ties by name."""
    ordered = sorted(matches, key=lambda m: (-m.score, m.name.casefold()))
    return ordered[:limit] if limit is not None else ordered


def proper_words(profile: Profile) -> frozenset[str]:
    """Words that keep their capital at the start of a phrase: the place's, and the first
    of the organization's name ("Riverside" of Riverside Food Bank). Not every word of the
    name: "Volunteer tutors" is no name because a Valley Volunteer Center exists."""
    first = _WORDS.findall(profile.name.lower())[:1]
    return frozenset([*first, *_WORDS.findall(profile.city.lower())])


def in_sentence(text: str, names: frozenset[str] = frozenset()) -> str:
    """A phrase as it reads inside a sentence: "Trained tutors" → "trained tutors". When in
    doubt the capital stays: "ESL classes", "Riverside's hall", "Spanish speakers", and
    any word of `names` (organizations' names and places, in lower case)."""
    first = text.split(maxsplit=1)[0] if text else ""
    if not (first.isalpha() and first[0].isupper() and first[1:] == first[1:].lower()):
        return text
    if first == "I" or first.lower() in names or first.endswith(_NATIONAL):
        return text
    return text[0].lower() + text[1:]


# Endings of languages and peoples ("Spanish", "Vietnamese", "Haitian"), which keep their
# capital; a common word kept capitalized by mistake reads better than a lowered name.
_NATIONAL = ("ish", "ese", "ian", "an", "ic", "i")


def and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
