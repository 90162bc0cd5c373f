"""The settings module: strict typed environment values, and an import that creates
nothing (the data directory and the key file are made by what starts the app)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from followthrough.config import secret_key
from followthrough.settings import env_bool, env_choice, env_int, env_time_zone


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


def test_importing_the_settings_creates_nothing(tmp_path):
    empty, missing = tmp_path / "empty", tmp_path / "missing"
    empty.mkdir()
    for data_dir in (empty, missing):
        done = _python("import followthrough.settings", data_dir)
        assert done.returncode == 0, done.stderr
    assert list(empty.iterdir()) == []
    assert not missing.exists()


def test_the_key_file_is_made_at_first_use_of_the_key(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from pathlib import Path\n"
        "from django.conf import settings\n"
        "from django.core import signing\n"
        "key_file = Path(settings.DATA_DIR) / 'secret_key'\n"
        "print(key_file.exists())\n"
        "print(signing.loads(signing.dumps('hello')))\n"
        "print(key_file.read_text() == str(settings.SECRET_KEY))\n"
    )
    done = _python(code, tmp_path, DJANGO_SETTINGS_MODULE="followthrough.settings")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "hello", "True"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_key_from_the_environment_needs_no_file(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "print(settings.SECRET_KEY, settings.SECRET_KEY_FILE)\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "followthrough.settings", "SECRET_KEY": "k" * 50}
    done = _python(code, tmp_path, **env)
    assert done.stdout.split() == ["k" * 50, "None"], done.stderr
    assert not (tmp_path / "secret_key").exists()


def test_an_existing_key_is_kept_and_a_new_one_is_random(tmp_path):
    first = secret_key(tmp_path / "one")
    assert len(first) >= 50 and secret_key(tmp_path / "one") == first
    assert secret_key(tmp_path / "two") != first


def test_the_wsgi_app_makes_the_data_directory_it_needs(tmp_path):
    data_dir = tmp_path / "new"
    done = _python("import followthrough.wsgi", data_dir)
    assert done.returncode == 0, done.stderr
    assert data_dir.stat().st_mode & 0o777 == 0o700 and (data_dir / "static").is_dir()
    assert not (data_dir / "secret_key").exists()  # made at its first use


def test_numbers_out_of_their_range_are_refused(monkeypatch):
    monkeypatch.setenv("FOLLOWTHROUGH_EMAIL_PORT", "70000")
    with pytest.raises(ImproperlyConfigured, match=r"FOLLOWTHROUGH_EMAIL_PORT=70000 .* 1 to 65535"):
        env_int("FOLLOWTHROUGH_EMAIL_PORT", 25, minimum=1, maximum=65535)
    monkeypatch.setenv("FOLLOWTHROUGH_LOGIN_FAILURE_LIMIT", "-1")
    with pytest.raises(ImproperlyConfigured, match="1 or more"):
        env_int("FOLLOWTHROUGH_LOGIN_FAILURE_LIMIT", 10, minimum=1)


def test_a_choice_is_one_of_its_words_in_any_case(monkeypatch):
    levels = ("DEBUG", "INFO", "WARNING")
    monkeypatch.setenv("FOLLOWTHROUGH_LOG_LEVEL", " info ")
    assert env_choice("FOLLOWTHROUGH_LOG_LEVEL", "WARNING", levels) == "INFO"
    monkeypatch.setenv("FOLLOWTHROUGH_LOG_LEVEL", "verbose")
    with pytest.raises(ImproperlyConfigured, match="FOLLOWTHROUGH_LOG_LEVEL='verbose'"):
        env_choice("FOLLOWTHROUGH_LOG_LEVEL", "WARNING", levels)


def test_a_time_zone_must_be_known(monkeypatch):
    monkeypatch.setenv("FOLLOWTHROUGH_TIME_ZONE", "Europe/Berlin")
    assert env_time_zone("FOLLOWTHROUGH_TIME_ZONE", "UTC") == "Europe/Berlin"
    monkeypatch.setenv("FOLLOWTHROUGH_TIME_ZONE", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="not a known time zone"):
        env_time_zone("FOLLOWTHROUGH_TIME_ZONE", "UTC")
