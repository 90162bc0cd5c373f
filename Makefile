PY ?= python
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: test test-pg e2e lint format bench run

test:
	$(PY) -m pytest

test-pg:
	DATABASE_URL=$(PG_URL) FOLLOWTHROUGH_EXPECT_DB=postgresql $(PY) -m pytest

e2e:
	FOLLOWTHROUGH_REQUIRE_BROWSER=1 $(PY) -m pytest tests/e2e

lint:
	ruff check . && ruff format --check . && mypy src

format:
	ruff check --fix . && ruff format .

bench:
	$(PY) bench/generate.py --data-dir /tmp/followthrough-bench --scale small
	$(PY) bench/bench_pages.py --data-dir /tmp/followthrough-bench
	$(PY) bench/bench_mbox.py --messages 5000

run:
	followthrough serve --demo
