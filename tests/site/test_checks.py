"""The system checks on the data directory and the secret key file."""

from __future__ import annotations

import os

from django.core import checks

from followthrough.site.checks import data_dir_check, secret_key_file_check


def _ids(messages: list[checks.CheckMessage]) -> list[str]:
    assert all(m.hint for m in messages)
    return [m.id for m in messages]


def test_it_is_quiet_about_a_writable_data_dir_and_a_readable_key(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.SECRET_KEY_FILE = tmp_path / "secret_key"
    (tmp_path / "secret_key").write_text("a-key\n")
    assert data_dir_check() == [] and secret_key_file_check() == []


def test_it_says_the_data_dir_is_missing(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "nowhere"
    assert _ids(data_dir_check()) == ["followthrough.E001"]


def test_it_says_the_data_dir_is_not_writable(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    # (Changing the mode would not do: the tests may run as root, who may write anyway.)
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert _ids(data_dir_check()) == ["followthrough.E002"]


def test_a_key_file_yet_to_be_made_is_fine(settings, tmp_path):
    settings.SECRET_KEY_FILE = tmp_path / "secret_key"
    assert secret_key_file_check() == []


def test_it_says_the_key_file_cannot_be_read(settings, tmp_path):
    settings.SECRET_KEY_FILE = tmp_path / "secret_key"
    (tmp_path / "secret_key").mkdir()  # unreadable as a file, even for root
    assert _ids(secret_key_file_check()) == ["followthrough.E003"]


def test_it_says_the_key_file_is_empty(settings, tmp_path):
    settings.SECRET_KEY_FILE = tmp_path / "secret_key"
    (tmp_path / "secret_key").write_text(" \n")
    assert _ids(secret_key_file_check()) == ["followthrough.E004"]


def test_a_key_from_the_environment_needs_no_file(settings, tmp_path):
    settings.SECRET_KEY_FILE = None
    assert secret_key_file_check() == []


def test_the_checks_run_with_the_others(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "nowhere"
    assert "followthrough.E001" in [m.id for m in checks.run_checks()]
