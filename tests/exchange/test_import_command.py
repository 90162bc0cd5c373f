"""`followthrough import`: the command around the loader, and the sample files end to end."""

from __future__ import annotations

import importlib
import io
import zoneinfo
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from rich.console import Console

from followthrough.events.models import Event
from followthrough.exchange.formats import registry
from followthrough.exchange.formats.records import ParseError, PersonRecord
from followthrough.exchange.imports.result import ImportResult, ImportSource
from followthrough.exchange.models import ColumnMapping, ImportBatch
from followthrough.people.models import ContactKind, Organization, Person
from tests.factories import make_event

DATA = Path(__file__).parent / "data"


@pytest.fixture
def fake_parser(monkeypatch):
    """Every format parses with a stand-in that yields one person per line of the file
    ("First Last email"), or raises a ParseError for a line reading "BAD"."""
    seen: dict = {}

    def parse(stream, *, options):
        seen["options"] = options
        for number, raw in enumerate(stream.read().decode().splitlines(), start=1):
            if raw == "BAD":
                raise ParseError("cannot read this row", line=number, field="Email")
            first, last, email = raw.split()
            yield PersonRecord(line=number, first_name=first, last_name=last, emails=[email])

    monkeypatch.setattr(registry, "get_parser", lambda name: parse)
    return seen


def _file(tmp_path, text: str, name: str = "contacts.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_it_imports_and_prints_the_counts(workspace, tmp_path, fake_parser, capsys):
    path = _file(tmp_path, "Ada Lovelace ada@example.org\nAlan Turing alan@example.org\n")
    call_command("import", "linkedin", path)
    out = capsys.readouterr().out
    batch = ImportBatch.objects.get()
    assert f"Imported contacts.csv into “{workspace.name}” as import #{batch.pk}." in out
    assert "read 2, created 2, updated 0, merged 0, skipped 0, ignored 0" in out
    assert f"undo with: followthrough import_undo {batch.pk}" in out
    assert (batch.format, batch.filename) == ("linkedin", "contacts.csv")
    call_command("import", "linkedin", path)
    assert "read 2, created 0, updated 0, merged 0, skipped 2" in capsys.readouterr().out


def test_a_failure_names_line_and_field_and_saves_nothing(workspace, tmp_path, fake_parser):
    path = _file(tmp_path, "Ada Lovelace ada@example.org\nBAD\n")
    with pytest.raises(CommandError) as failure:
        call_command("import", "linkedin", path)
    assert str(failure.value) == (
        "contacts.csv: line 2, field “Email”: cannot read this row. Nothing was imported."
    )
    assert Person.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_an_empty_file_is_an_error(workspace, tmp_path, fake_parser):
    with pytest.raises(CommandError, match="holds no records to import"):
        call_command("import", "linkedin", _file(tmp_path, ""))


def test_a_dry_run_shows_the_first_rows_and_saves_nothing(workspace, tmp_path, fake_parser, capsys):
    call_command(
        "import", "linkedin", _file(tmp_path, "Ada Lovelace ada@example.org\n"), "--dry-run"
    )
    out = capsys.readouterr().out
    assert "Dry run of contacts.csv: nothing was saved." in out
    assert "line      1  created  person       Ada Lovelace" in out
    assert Person.objects.count() == 0


def test_the_workspace_may_be_left_out_only_when_there_is_one(
    workspace, other_workspace, tmp_path, fake_parser
):
    path = _file(tmp_path, "Ada Lovelace ada@example.org\n")
    with pytest.raises(CommandError, match="several workspaces") as failure:
        call_command("import", "linkedin", path)
    assert workspace.slug in str(failure.value) and other_workspace.slug in str(failure.value)
    with pytest.raises(CommandError, match="No workspace “nope”"):
        call_command("import", "linkedin", path, "--workspace", "nope")
    call_command("import", "linkedin", path, "--workspace", other_workspace.slug)
    assert Person.objects.get().workspace == other_workspace


def test_a_missing_file_is_an_error(workspace, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import", "linkedin", str(tmp_path / "nothing.csv"))


def test_options_reach_the_parser(workspace, tmp_path, fake_parser):
    path = _file(tmp_path, "Ada Lovelace ada@example.org\n")
    call_command(
        "import", "csv", path, "--mapping", '{"Mail": "email"}', "--time-zone", "Asia/Tokyo"
    )
    options = fake_parser["options"]
    assert (options.mapping, options.time_zone) == ({"Mail": "email"}, "Asia/Tokyo")
    ColumnMapping.objects.create(workspace=workspace, name="crm", mapping={"E": "email"})
    call_command("import", "csv", path, "--mapping", "crm")
    assert fake_parser["options"].mapping == {"E": "email"}
    assert fake_parser["options"].time_zone == workspace.timezone


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--mapping", "unsaved", "No saved column mapping “unsaved”"),
        ("--mapping", "{not json", "not valid JSON"),
        ("--time-zone", "Mars/Olympus", "Unknown time zone"),
        ("--event", "999", "No event #999"),
    ],
)
def test_bad_options_are_refused(workspace, tmp_path, fake_parser, option, value, message):
    path = _file(tmp_path, "Ada Lovelace ada@example.org\n")
    with pytest.raises(CommandError, match=message):
        call_command("import", "linkedin", path, option, value)


def test_an_event_of_another_workspace_is_not_found(workspace, other_workspace, tmp_path):
    event = make_event(other_workspace)
    path = str(DATA / "eventbrite_attendees.csv")
    with pytest.raises(CommandError, match=f"No event #{event.pk}"):
        call_command(
            "import", "eventbrite", path, "--workspace", workspace.slug, "--event", str(event.pk)
        )


# -- the sample files, with the real parsers ------------------------------------------


def _import(name: str, fmt: str, *extra: str) -> ImportBatch:
    call_command("import", fmt, str(DATA / name), *extra)
    return ImportBatch.objects.order_by("-id").first()


def _twice(name: str, fmt: str, *extra: str) -> dict:
    first = _import(name, fmt, *extra).counts
    second = _import(name, fmt, *extra).counts
    assert (second["created"], second["updated"], second["merged"]) == (0, 0, 0)
    assert second["skipped"] == first["read"] - first["ignored"]
    return first


def test_linkedin_connections(workspace):
    counts = _twice("linkedin_Connections.csv", "linkedin")
    assert counts["rows_created"]["people.person"] == 7
    people = Person.objects.filter(workspace=workspace)
    assert people.count() == 7
    for someone in people:
        affiliation = someone.affiliations.get()
        assert affiliation.role and affiliation.organization.name
    dev = people.get(last_name="Raman")
    assert dev.affiliations.get().organization.name == "Literacy Now, Inc."
    profile = dev.contact_points.get(kind=ContactKind.URL)
    assert (profile.normalized, profile.connected_on) == (
        "https://www.linkedin.com/in/devraman",
        date(2023, 11, 17),
    )
    assert people.filter(first_name="李", last_name="伟").exists()


def test_google_contacts(workspace):
    counts = _twice("google_contacts.csv", "google")
    assert counts["rows_created"]["people.person"] == 2
    maria = Person.objects.get(first_name="Maria")
    emails = set(maria.contact_points.filter(kind="email").values_list("normalized", flat=True))
    assert {"maria.okafor@riversidefoodbank.org", "maria@okafor.name"} <= emails
    assert sorted(t.name for t in maria.tags.all()) == ["Food", "Nonprofits"]
    assert Organization.objects.filter(workspace=workspace).count() >= 3


def test_outlook_contacts_in_windows_1252_with_semicolons(workspace):
    counts = _twice("outlook_contacts_cp1252_semicolon.csv", "outlook")
    assert counts["rows_created"]["people.person"] == 2
    names = set(Person.objects.values_list("full_name", flat=True))
    assert names == {"Jürgen Müller", "Zoë Château"}
    assert all(p.affiliations.exists() and p.tags.exists() for p in Person.objects.all())


@pytest.mark.parametrize("fmt", ["ics", "organizations"])
def test_event_is_refused_for_files_that_hold_no_attendees_of_it(workspace, tmp_path, fmt):
    event = make_event(workspace, title="Spring summit")
    path = _file(tmp_path, "Name\nHarbor Arts\n")
    with pytest.raises(
        CommandError, match=f"--event is for files of people who attended it; {fmt}"
    ):
        call_command("import", fmt, path, "--event", str(event.pk))


def test_eventbrite_attendees_without_an_event_are_refused_before_reading(workspace):
    with pytest.raises(CommandError) as refused:
        call_command("import", "eventbrite", str(DATA / "eventbrite_attendees.csv"))
    message = str(refused.value)
    assert message.startswith("The eventbrite format reads the attendees of one event")
    assert "--event ID" in message and "line" not in message
    assert not ImportBatch.objects.exists()


def test_eventbrite_attendees_into_an_event(workspace):
    event = make_event(workspace, title="Spring summit")
    _twice("eventbrite_attendees.csv", "eventbrite", "--event", str(event.pk))
    attending = event.attendances.exclude(rsvp="declined")
    assert attending.count() == 4
    tom = event.attendances.get(person__last_name="Nguyen")
    assert tom.rsvp == "declined"  # recorded as declined, never as attended
    assert not tom.person.interactions.exists()
    assert event.attendances.get(person__first_name="Kwame").checked_in
    assert not event.attendances.get(person__first_name="Dev").checked_in


def test_apple_contacts(workspace):
    counts = _twice("apple_contacts_3.0.vcf", "vcard")
    assert counts["rows_created"]["people.person"] == 1
    assert counts["created"] == 2  # the person and the company card
    someone = Person.objects.get()
    assert someone.photo and someone.notes
    assert someone.birthday_month is not None
    assert someone.contact_points.filter(kind=ContactKind.EMAIL).count() == 2
    assert someone.contact_points.filter(kind=ContactKind.ADDRESS).exists()


def test_android_quoted_printable_cards(workspace):
    _twice("android_2.1_quoted_printable.vcf", "vcard")
    ivan = Person.objects.get(first_name="Иван")
    assert ivan.full_name == "Иван Петров"
    # The name as the card showed it says more than its parts: kept as written.
    assert ivan.formatted_name == "Иван Петров (Фонд)"
    assert "Иван Петров (Фонд)" not in ivan.notes
    assert ivan.affiliations.get().organization.name == "Фонд «Добро»"
    assert Person.objects.filter(full_name="Aisha Bello").exists()


def test_vcard_4_with_an_organization_card(workspace):
    _twice("vcard_4.0.vcf", "vcard")
    sam = Person.objects.get()
    assert sam.affiliations.get().organization.name == "GreenWorks Coalition"
    with sam.photo.open("rb") as photo:
        assert photo.read().startswith(b"\x89PNG")
    assert (sam.birthday_month, sam.birthday_day, sam.birthday_year) == (4, 15, None)


def test_google_calendar_invite(workspace):
    _twice("google_calendar_breakfast.ics", "ics")
    event = Event.objects.get()
    assert event.rrule and event.time_zone == "America/Chicago"
    assert event.attendances.count() == 3
    assert len(set(event.attendances.values_list("rsvp", flat=True))) > 1


def test_outlook_calendar_with_a_windows_zone(workspace):
    _twice("outlook_calendar_windows_tz.ics", "ics")
    first, all_day = Event.objects.order_by("all_day")
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    assert first.starts_at.astimezone(berlin).hour == 17
    assert all_day.all_day
    start = all_day.starts_at.astimezone(zoneinfo.ZoneInfo(all_day.time_zone or "UTC"))
    assert start.time() == datetime.min.time()


def test_an_organizations_export_imports_back_as_it_was(workspace, tmp_path):
    counts = _twice("organizations_export.csv", "organizations")
    assert counts["rows_created"]["people.organization"] == 3
    output = tmp_path / "organizations.csv"
    call_command("export", "csv", "--what", "organizations", "-o", str(output))
    # The workspace's own profile comes first; after it, the file exactly as it was.
    profile = f"{workspace.name},,,,,,,,\r\n"
    exported = output.read_bytes().replace(profile.encode(), b"", 1)
    assert exported == (DATA / "organizations_export.csv").read_bytes()


def test_a_partner_list_fills_in_what_a_known_organization_lacks(workspace, capsys):
    tafel = Organization.objects.create(
        workspace=workspace, name="TAFEL NORD E.V.", website="https://tafel.example"
    )
    counts = _twice("organizations_partner_list.csv", "organizations")
    assert (counts["created"], counts["updated"]) == (2, 1)
    tafel.refresh_from_db()
    assert (tafel.website, tafel.location, tafel.mission, tafel.feed_url) == (
        "https://tafel.example",  # it had one: kept
        "Hamburg",
        "Lebensmittel retten",
        "https://tafel-nord.example/feed",
    )
    cafe = Organization.objects.get(workspace=workspace, name="Café Solidaire")
    assert sorted(t.name for t in cafe.focus_areas.all()) == ["Community", "Food"]
    assert "read 3, created 0, updated 0, merged 0, skipped 3" in capsys.readouterr().out


def test_an_organizations_file_without_names_is_refused_naming_the_line(workspace, tmp_path):
    path = _file(tmp_path, "Organization,City\nLiteracy Now,Oakland\n,Boston\n")
    with pytest.raises(CommandError) as failure:
        call_command("import", "organizations", path)
    assert str(failure.value) == (
        "contacts.csv: line 3, field “Organization”: The row has no organization name. "
        "Nothing was imported."
    )
    assert not Organization.objects.filter(name="Literacy Now").exists()


def test_csv_without_a_mapping_reads_the_columns_it_recognizes(workspace, tmp_path, capsys):
    from followthrough.exchange.exports.csv_export import people_csv
    from tests.factories import make_person

    make_person(workspace, first_name="Ada", last_name="Byron", emails=["a@x.org", "b@y.org"])
    path = tmp_path / "people.csv"
    path.write_text("".join(people_csv(workspace=workspace)), encoding="utf-8")
    call_command("import", "csv", str(path))  # our own export, imported back as it is
    captured = capsys.readouterr()
    assert "Columns read as: First Name → First name; Last Name → Last name; E-mails" in (
        captured.err
    )
    assert "read 1, created 0, updated 0, merged 0, skipped 1" in captured.out
    assert Person.objects.count() == 1


def test_csv_without_a_mapping_or_known_columns_says_how_to_give_one(workspace, tmp_path):
    path = _file(tmp_path, "Foo,Bar\n1,2\n")
    with pytest.raises(
        CommandError, match=r"No column is mapped .* Give the columns with --mapping"
    ):
        call_command("import", "csv", path)
    assert not ImportBatch.objects.exists()


def test_a_csv_that_cannot_be_read_gets_one_full_stop(workspace, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError) as refused:
        call_command("import", "csv", str(empty))
    assert str(refused.value) == "empty.csv: The file is empty. Nothing was imported."


def test_a_directory_is_not_a_file_to_import(workspace, tmp_path):
    with pytest.raises(CommandError, match="is a directory; give the file to import"):
        call_command("import", "linkedin", str(tmp_path))


def test_a_question_in_the_error_gets_no_full_stop_after_it(workspace, tmp_path):
    path = _file(tmp_path, "Foo,Bar,Baz\n1,2,3\n")
    with pytest.raises(CommandError) as refused:
        call_command("import", "google", path)
    assert "?." not in str(refused.value)
    assert str(refused.value).endswith("? Nothing was imported.")


def test_imports_lists_the_numbers_undo_takes_and_events_their_ids(
    workspace, tmp_path, fake_parser, capsys
):
    path = _file(tmp_path, "Ada Lovelace ada@example.org\n")
    call_command("import", "linkedin", path)
    call_command("import", "linkedin", path)  # changes nothing: nothing to undo
    out = capsys.readouterr().out
    assert out.count("undo with: followthrough import_undo") == 1
    first, second = ImportBatch.objects.order_by("pk")
    call_command("imports")
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith(f"#{second.pk} ") and "skipped 1 — imported" in listing[0]
    assert listing[1].startswith(f"#{first.pk} ") and "contacts.csv (LinkedIn" in listing[1]
    assert "created 1, updated 0, skipped 0 — imported" in listing[1]
    event = make_event(workspace, title="Spring breakfast")
    call_command("imports", "--events")
    assert f"#{event.pk}" in capsys.readouterr().out
    call_command("import_undo", str(first.pk), yes=True)
    assert f"Import #{first.pk} of “{workspace.name}” undone: removed 1 person." in (
        capsys.readouterr().out
    )
    with pytest.raises(CommandError, match="`followthrough imports` lists them"):
        call_command("import_undo", "999999")


def test_mapping_is_refused_for_formats_that_name_their_columns(workspace, tmp_path):
    path = _file(tmp_path, "Ada Lovelace ada@example.org\n")
    with pytest.raises(CommandError, match="--mapping is for the csv format"):
        call_command("import", "linkedin", path, "--mapping", '{"A": "email"}')


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_progress_bar_keeps_to_one_line_of_the_terminal(tmp_path, width):
    # A line wider than the terminal wraps, and each redraw leaves the wrapped part behind.
    command = importlib.import_module("followthrough.exchange.management.commands.import")
    path = tmp_path / "Connections from the autumn fundraising gala.csv"
    path.write_bytes(b"x" * 10_000)
    with path.open("rb") as stream:
        progress = command._Progress(stream, path)
        result = ImportResult(source=ImportSource("linkedin", path.name))
        result.read, result.created, result.updated = 123_456, 61_728, 61_728
        stream.read(5_000)
        progress.update(result)
        screen = Console(file=io.StringIO(), width=width, color_system=None)
        with screen.capture() as capture:
            screen.print(progress.bar.make_tasks_table(progress.bar.tasks))
    shown = [line for line in capture.get().splitlines() if line.strip()]
    assert len(shown) == 1 and len(shown[0]) <= width
    assert "50%" in shown[0] and "123,456 read" in shown[0]
