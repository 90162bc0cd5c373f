"""Every file the app reads at run time that is not Python is in the package data of
pyproject.toml, so `pip install .` (not only an editable install) ships it. A template
left in an app's own folder was missing from the wheel, and every person page failed."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "followthrough"


def _shipped(relative: Path, patterns: list[str]) -> bool:
    """Whether a setuptools glob (from the package's root; "**" spans folders) takes it.
    Not `Path.match`, which matches from the right: "sequences/templates/x.html" would
    pass for "templates/**/*"."""
    for pattern in patterns:
        head, _, tail = pattern.partition("/**/")
        if tail and relative.parts[0] == head and fnmatch(relative.name, tail):
            return True
        if not tail and fnmatch(relative.as_posix(), pattern):
            return True
    return False


def test_every_non_python_file_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["followthrough"]
    files = [
        path.relative_to(PACKAGE)
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]
    assert files, "no data files found: the test would prove nothing"
    missing = [str(f) for f in files if not _shipped(f, patterns)]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
