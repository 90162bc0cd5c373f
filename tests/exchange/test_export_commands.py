"""`followthrough export`: formats, options, output and errors."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.exchange.test_backup import rich_workspace
from tests.factories import make_workspace

pytestmark = pytest.mark.usefixtures("media_root")  # photos and uploads: a folder per test


def export(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("args", "start", "contains"),
    [
        (("csv",), "\ufeffFirst Name,", "María"),
        (("csv", "--what", "organizations"), "\ufeffName,", "Alpha Food Bank"),
        (("csv", "--what", "interactions"), "\ufeffDate,", "Called"),
        (("vcard",), "BEGIN:VCARD\r\nVERSION:3.0", "X-ABSHOWAS:COMPANY"),
        (("vcard", "--version", "4.0"), "BEGIN:VCARD\r\nVERSION:4.0", "KIND:org"),
        (("ics",), "BEGIN:VCALENDAR", "BEGIN:VEVENT"),
        (("ics", "--what", "follow-ups"), "BEGIN:VCALENDAR", "BEGIN:VTODO"),
        (("json",), '{"format":"followthrough-backup"', '"people":['),
    ],
)
def test_each_format_goes_to_standard_output(db, args, start, contains):
    rich_workspace()
    out, err = export(*args)
    assert out.startswith(start) and contains in out
    assert err.startswith("Exported ") and "standard output" in err


def test_it_writes_a_file_and_reports_its_size(db, tmp_path):
    ws = rich_workspace()
    target = tmp_path / "people.csv"
    out, _ = export("csv", "--workspace", ws.slug, "-o", str(target))
    data = target.read_bytes()
    assert data.startswith("\ufeff".encode())
    assert out == f"Exported people as csv of “{ws.name}” to {target} ({len(data):,} bytes).\n"


def test_json_export_is_the_backup(db):
    rich_workspace()
    out, _ = export("json")
    assert json.loads(out)["version"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("csv", "--what", "events"), "people, organizations, interactions"),
        (("ics", "--what", "people"), "events, follow-ups"),
        (("vcard", "--what", "people"), "does not apply to vcard"),
        (("csv", "--version", "4.0"), "--version is the vCard version; csv has none"),
        (("csv", "--workspace", "nope"), "No workspace “nope”. Workspaces: riverside-literacy."),
    ],
)
def test_wrong_choices_are_refused_with_the_right_ones(workspace, args, message):
    with pytest.raises(CommandError, match=message):
        export(*args)


def test_without_workspace_it_needs_exactly_one(db):
    with pytest.raises(CommandError, match="no workspace"):
        export("csv")
    make_workspace("One")
    make_workspace("Two")
    with pytest.raises(CommandError, match=r"several workspaces.*Workspaces: one, two"):
        export("csv")


def test_the_cli_exits_non_zero_with_a_message(workspace, capsys):
    from followthrough.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["followthrough", "export", "csv", "--what", "events"])
    assert exit_info.value.code == 1
    assert "--what for csv is one of" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["followthrough", "export", "xml"])
    assert exit_info.value.code == 2  # argparse: not a format
