"""The settings module: strict typed environment values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from followthrough.settings import env_bool, env_int


def _python(code: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter whose only configuration is `env`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FOLLOWTHROUGH_")
        and k not in ("DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")
    }
    clean.update(FOLLOWTHROUGH_DATA_DIR=str(data_dir), **env)
    return subprocess.run(  # noqa: S603 -- our own interpreter
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), (" Yes ", True), ("ON", True), ("0", False),
     ("False", False), ("no", False), ("off", False), ("", True), ("  ", True)],
)  # fmt: skip
def test_it_reads_the_documented_yes_and_no_words(monkeypatch, value, expected):
    monkeypatch.setenv("FOLLOWTHROUGH_X", value)
    assert env_bool("FOLLOWTHROUGH_X", True) is expected  # empty: the default (True here)


def test_it_uses_the_default_when_a_yes_no_setting_is_unset(monkeypatch):
    monkeypatch.delenv("FOLLOWTHROUGH_X", raising=False)
    assert env_bool("FOLLOWTHROUGH_X", False) is False


@pytest.mark.parametrize("value", ["ture", "y", "enabled", "2", "false!"])
def test_it_refuses_any_other_yes_no_word_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("FOLLOWTHROUGH_HTTPS", value)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_bool("FOLLOWTHROUGH_HTTPS", False)
    message = str(refused.value)
    assert f"FOLLOWTHROUGH_HTTPS={value!r}" in message
    assert "1/0, true/false, yes/no, on/off" in message


def test_it_reads_whole_numbers_and_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("FOLLOWTHROUGH_EMAIL_PORT", " 587 ")
    assert env_int("FOLLOWTHROUGH_EMAIL_PORT", 25) == 587
    monkeypatch.setenv("FOLLOWTHROUGH_EMAIL_PORT", "")
    assert env_int("FOLLOWTHROUGH_EMAIL_PORT", 25) == 25
    monkeypatch.setenv("FOLLOWTHROUGH_EMAIL_PORT", "25a")
    with pytest.raises(ImproperlyConfigured, match=r"FOLLOWTHROUGH_EMAIL_PORT='25a' is not a"):
        env_int("FOLLOWTHROUGH_EMAIL_PORT", 25)


def test_a_typo_in_a_yes_no_setting_stops_start_up(tmp_path):
    done = _python("import followthrough.settings", tmp_path, FOLLOWTHROUGH_HTTPS="ture")
    assert done.returncode != 0
    assert "ImproperlyConfigured: FOLLOWTHROUGH_HTTPS='ture' is not a yes/no value" in done.stderr


def test_the_command_says_which_setting_is_wrong_without_a_traceback(tmp_path):
    code = "from followthrough.cli import main; main(['followthrough', 'check'])"
    done = _python(code, tmp_path, FOLLOWTHROUGH_LOGIN_FAILURE_LIMIT="ten")
    assert done.returncode == 1
    assert done.stderr.startswith("followthrough: FOLLOWTHROUGH_LOGIN_FAILURE_LIMIT='ten' is")
    assert "Traceback" not in done.stderr
