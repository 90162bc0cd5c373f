"""Recompute expected.json: each corpus file's outcome under today's importers.

Run from the repository root: `python tests/exchange/corpus/record_expected.py`, then
review `git diff tests/exchange/corpus/expected.json` — every changed line is a file that
now imports differently (fewer refusals after a fix, or a regression).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

if __name__ == "__main__":
    root = Path(__file__).resolve().parents[3]
    os.chdir(root)
    os.environ["CORPUS_RECORD"] = "1"
    # The recording happens in test_corpus's `outcomes` fixture; the one test that uses it
    # is enough to run it.
    sys.exit(
        pytest.main(
            [
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/exchange/test_corpus.py::test_no_file_crashes_the_importer",
            ]
        )
    )
