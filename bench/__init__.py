"""Benchmark tools: a seeded generator of a large workspace, and page timings.

Run them as scripts (`python bench/generate.py …`, `python bench/bench_pages.py …`); see
`bench/README.md`. The package form lets tests import the generator.
"""
