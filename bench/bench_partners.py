"""How well the partner ranking finds the partners people would pick, on the labelled set
of `bench/partners/` (fictional profiles; see bench/README.md).

For every query profile it ranks all organizations and prints, per engine:
- precision@5: the share of the top 5 that are labelled partners (same field or
  complementary);
- complementary recall@20: the share of the complementary partners (other fields whose
  offers meet the query's needs, or the reverse) found in the top 20;
and the time per query. The baseline is plain BM25 (rank-bm25) over all of a profile's
text as one bag of words. No database: the engines are pure code.

    python bench/bench_partners.py [--show q-03]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from rank_bm25 import BM25Okapi  # noqa: E402

from bench.partners.dataset import load  # noqa: E402
from followthrough.matching.analysis import terms  # noqa: E402
from followthrough.matching.lexical import Profile, Scorer, corpus_weights  # noqa: E402

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
    own = as_profile("query", query["profile"])
    scorer = Scorer(own, corpus_weights([*profiles, own]))
    return [str(match.key) for match in scorer.rank(profiles)]


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


def show(query: dict, profiles: list[Profile], orgs: dict[str, dict]) -> None:
    own = as_profile("query", query["profile"])
    scorer = Scorer(own, corpus_weights([*profiles, own]))
    labels = {k: "same" for k in query["relevant"]["same_field"]}
    labels |= {k: "COMP" for k in query["relevant"]["complementary"]}
    print(f"{query['id']}: {query['profile']['name']} ({query['profile'].get('field', '')})")
    for rank, match in enumerate(scorer.rank(profiles)[:20], 1):
        label = labels.get(str(match.key), "-")
        print(f"{rank:>3}. [{label:>4}] {match.name} ({orgs[str(match.key)]['field']}) "
              f"{match.score:.2f}: {'; '.join(match.reasons)}")  # fmt: skip
    found = {str(m.key) for m in scorer.rank(profiles)[:20]}
    for key in sorted(set(query["relevant"]["complementary"]) - found):
        print(f"     missed COMP {orgs[key]['name']} ({orgs[key]['field']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", metavar="QUERY_ID", help="List one query's top 20.")
    parser.add_argument("--per-query", action="store_true", help="Print each query's figures.")
    args = parser.parse_args()
    orgs, queries = load()
    profiles = [as_profile(o["id"], o) for o in orgs]
    if args.show:
        by_id = {o["id"]: o for o in orgs}
        show(next(q for q in queries if q["id"] == args.show), profiles, by_id)
        return
    fields = len({o["field"] for o in orgs})
    print(f"{len(orgs)} organizations in {fields} fields, {len(queries)} queries")
    for name, ranker in (("BM25 (all text)", bm25), ("BM25 (stemmed terms)", bm25_stemmed),
                         ("lexical engine", lexical)):  # fmt: skip
        result = evaluate(ranker, queries, profiles)
        print(f"{name:<22} precision@5 {result['precision@5']:.2f}   complementary "
              f"recall@20 {result['complementary recall@20']:.2f}   "
              f"{result['ms per query']:.1f} ms/query")  # fmt: skip
        if args.per_query:
            for qid, p, r in result["per query"]:
                print(f"    {qid}: p@5 {p:.2f}  comp r@20 {r:.2f}")


if __name__ == "__main__":
    main()
