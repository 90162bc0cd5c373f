"""How well the partner ranking finds the partners people would pick, on the labelled set
of `bench/partners/` (fictional profiles; see bench/README.md).

For every query profile it ranks all organizations and prints, per engine:
- precision@5: the share of the top 5 that are labelled partners (same field or
  complementary);
- complementary recall@20: the share of the complementary partners (other fields whose
  offers meet the query's needs, or the reverse) found in the top 20;
and the time per query. The baseline is plain BM25 (rank-bm25) over all of a profile's
text as one bag of words. No database: the engines are pure code (the semantic engine's
vectors are kept in memory; it runs when the `semantic` extra is installed).

    python bench/bench_partners.py [--show q-03] [--engine lexical|semantic|blended]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from rank_bm25 import BM25Okapi  # noqa: E402

from bench.env import setup_django  # noqa: E402
from bench.partners.dataset import load  # noqa: E402
from followthrough.matching.analysis import terms  # noqa: E402

setup_django(tempfile.mkdtemp(prefix="ft-partners-"))  # the engines' modules load models

from followthrough.matching.engines import (  # noqa: E402
    BlendedMany,
    LexicalMany,
    semantic_available,
)
from followthrough.matching.lexical import (  # noqa: E402
    Match,
    Profile,
    Scorer,
    corpus_weights,
    rank,
)

Ranker = Callable[[dict, list[Profile]], list[str]]


def as_profile(key: str, data: dict) -> Profile:
    def text(value: object) -> str:
        return "\n".join(value) if isinstance(value, list) else str(value or "")

    return Profile(
        key,
        data["name"],
        data.get("mission", ""),
        tuple(data.get("focus_areas", ())),
        text(data.get("offers")),
        text(data.get("needs")),
        data.get("city", ""),
    )


def lexical(query: dict, profiles: list[Profile]) -> list[str]:
    return [str(m.key) for m in _matches("lexical", query, profiles)]


def semantic(query: dict, profiles: list[Profile]) -> list[str]:
    return [str(m.key) for m in _matches("semantic", query, profiles)]


def blended(query: dict, profiles: list[Profile]) -> list[str]:
    return [str(m.key) for m in _matches("blended", query, profiles)]


_STORE: list = []


def _matches(engine: str, query: dict, profiles: list[Profile]) -> list[Match]:
    own = as_profile("query", query["profile"])
    lexical_scorer = LexicalMany(Scorer(own, corpus_weights([*profiles, own])))
    if engine == "lexical":
        return rank(lexical_scorer.score_many(profiles))
    from followthrough.matching.semantic import MemoryStore, SemanticScorer

    if not _STORE:
        _STORE.append(MemoryStore())
    semantic_scorer = SemanticScorer(own=own, store=_STORE[0])
    if engine == "semantic":
        return rank(semantic_scorer.score_many(profiles))
    return rank(BlendedMany(lexical_scorer, semantic_scorer).score_many(profiles))


def _bag(profile: Profile) -> list[str]:
    text = " ".join((profile.mission, *profile.focus_areas, profile.offers, profile.needs))
    return re.findall(r"\w+", text.lower())


def bm25(query: dict, profiles: list[Profile]) -> list[str]:
    index = BM25Okapi([_bag(p) for p in profiles])
    scores = index.get_scores(_bag(as_profile("query", query["profile"])))
    order = sorted(range(len(profiles)), key=lambda i: -scores[i])
    return [str(profiles[i].key) for i in order if scores[i] > 0]


def bm25_stemmed(query: dict, profiles: list[Profile]) -> list[str]:
    """BM25 over the same stemmed terms the lexical engine reads, as one bag of words."""

    def bag(profile: Profile) -> list[str]:
        return terms(
            " ".join((profile.mission, *profile.focus_areas, profile.offers, profile.needs))
        )

    index = BM25Okapi([bag(p) for p in profiles])
    scores = index.get_scores(bag(as_profile("query", query["profile"])))
    order = sorted(range(len(profiles)), key=lambda i: -scores[i])
    return [str(profiles[i].key) for i in order if scores[i] > 0]


def evaluate(ranker: Ranker, queries: Sequence[dict], profiles: list[Profile]) -> dict:
    precision, recall, seconds = [], [], []
    for query in queries:
        relevant = set(query["relevant"]["same_field"]) | set(query["relevant"]["complementary"])
        complementary = set(query["relevant"]["complementary"])
        start = time.perf_counter()
        ranked = ranker(query, profiles)
        seconds.append(time.perf_counter() - start)
        precision.append(len(set(ranked[:5]) & relevant) / 5)
        recall.append(len(set(ranked[:20]) & complementary) / len(complementary))
    return {
        "precision@5": statistics.mean(precision),
        "complementary recall@20": statistics.mean(recall),
        "ms per query": 1000 * statistics.median(seconds),
        "per query": list(zip((q["id"] for q in queries), precision, recall, strict=True)),
    }


def show(query: dict, profiles: list[Profile], orgs: dict[str, dict], engine: str) -> None:
    ranked = _matches(engine, query, profiles)
    labels = {k: "same" for k in query["relevant"]["same_field"]}
    labels |= {k: "COMP" for k in query["relevant"]["complementary"]}
    print(f"{query['id']}: {query['profile']['name']} ({query['profile'].get('field', '')})")
    for place, match in enumerate(ranked[:20], 1):
        label = labels.get(str(match.key), "-")
        print(f"{place:>3}. [{label:>4}] {match.name} ({orgs[str(match.key)]['field']}) "
              f"{match.score:.2f}: {'; '.join(match.reasons)}")  # fmt: skip
    found = {str(m.key) for m in ranked[:20]}
    for key in sorted(set(query["relevant"]["complementary"]) - found):
        print(f"     missed COMP {orgs[key]['name']} ({orgs[key]['field']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", metavar="QUERY_ID", help="List one query's top 20.")
    parser.add_argument("--per-query", action="store_true", help="Print each query's figures.")
    parser.add_argument(
        "--engine",
        choices=("lexical", "semantic", "blended"),
        default="lexical",
        help="The engine --show lists (default lexical).",
    )
    args = parser.parse_args()
    orgs, queries = load()
    profiles = [as_profile(o["id"], o) for o in orgs]
    if args.show:
        by_id = {o["id"]: o for o in orgs}
        show(next(q for q in queries if q["id"] == args.show), profiles, by_id, args.engine)
        return
    fields = len({o["field"] for o in orgs})
    print(f"{len(orgs)} organizations in {fields} fields, {len(queries)} queries")
    rankers: list[tuple[str, Ranker]] = [
        ("BM25 (all text)", bm25), ("BM25 (stemmed terms)", bm25_stemmed),
        ("lexical engine", lexical),
    ]  # fmt: skip
    if semantic_available():
        started = time.perf_counter()
        texts = _all_phrases(profiles, queries)
        from followthrough.matching.semantic import MemoryStore

        _STORE.append(MemoryStore())
        _STORE[0].vectors(texts)
        seconds = time.perf_counter() - started
        print(f"semantic engine: {len(texts)} phrases of {len(profiles)} profiles embedded in "
              f"{seconds:.1f} s ({len(profiles) / seconds:.0f} profiles/s, model load "
              "included)")  # fmt: skip
        rankers += [("semantic engine", semantic), ("blended engine", blended)]
    else:
        print("semantic engine: not installed (pip install -e '.[semantic]')")
    for name, ranker in rankers:
        result = evaluate(ranker, queries, profiles)
        print(f"{name:<22} precision@5 {result['precision@5']:.2f}   complementary "
              f"recall@20 {result['complementary recall@20']:.2f}   "
              f"{result['ms per query']:.1f} ms/query")  # fmt: skip
        if args.per_query:
            for qid, p, r in result["per query"]:
                print(f"    {qid}: p@5 {p:.2f}  comp r@20 {r:.2f}")


def _all_phrases(profiles: list[Profile], queries: Sequence[dict]) -> list[str]:
    from followthrough.matching.analysis import phrases

    everyone = [*profiles, *(as_profile("q", q["profile"]) for q in queries)]
    texts = []
    for p in everyone:
        texts += [*phrases(p.offers), *phrases(p.needs)]
        texts.append(" ".join(x for x in (p.mission, *p.focus_areas) if x.strip()))
    return list(dict.fromkeys(t for t in texts if t))


if __name__ == "__main__":
    main()
