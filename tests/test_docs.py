"""Docs that stay true: every setting read from the environment and every command of ours
is documented."""

import re
from pathlib import Path

import followthrough

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(followthrough.__file__).parent


def test_every_environment_setting_is_documented():
    source = (PACKAGE / "settings.py").read_text() + (PACKAGE / "config.py").read_text()
    names = set(re.findall(r'"((?:FOLLOWTHROUGH_|DATABASE_URL|SECRET_KEY)[A-Z_]*)"', source))
    assert names, "no settings found"
    docs = (ROOT / "docs" / "settings.md").read_text()
    example = (ROOT / ".env.example").read_text()
    missing = {n for n in names if f"`{n}`" not in docs or f"{n}=" not in example}
    assert not missing


def test_every_command_of_ours_is_documented():
    commands = {p.stem for p in PACKAGE.glob("*/management/commands/*.py") if p.stem != "__init__"}
    assert "serve" in commands
    docs = (ROOT / "README.md").read_text() + "".join(
        p.read_text() for p in (ROOT / "docs").glob("*.md")
    )
    missing = {c for c in commands if f"followthrough {c}" not in docs}
    assert not missing
