"""Reliability checklist, section E (imports): every "input to try" of rows E1 to E7, run
through the real import path — the parsers, `loader.import_records`, the `import`
command and the web import — against a real database, asserting the row's expected
outcome. `docs/checklist-imports.md` says which test covers which input; the last test
here keeps that index true."""

from __future__ import annotations

import ast
import base64
import csv
import importlib
import importlib.metadata
import io
import random
import re
import signal
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from packaging.requirements import Requirement
from packaging.version import Version
from PIL import Image

from followthrough.events.models import Attendance, Event
from followthrough.exchange import formats, forms, tasks
from followthrough.exchange.loader import BATCH_SIZE, import_records
from followthrough.exchange.models import ImportBatch, ImportedObject, ImportStatus
from followthrough.exchange.parsers import csv_common, ics, vcard
from followthrough.exchange.records import PersonRecord
from followthrough.exchange.result import ImportFailed, ImportResult, ImportSource
from followthrough.people.models import ContactKind, Organization, Person
from followthrough.workspaces.models import WorkspaceScoped
from tests.exchange.helpers import load, png
from tests.factories import make_event, make_workspace

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
CHECKLIST_B = DATA / "checklist_b"
INDEX = ROOT / "docs" / "checklist-imports.md"
LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
SUMMARY = re.compile(
    r"read ([\d,]+), created ([\d,]+), updated ([\d,]+), merged ([\d,]+), "
    r"skipped ([\d,]+), ignored ([\d,]+)"
)
TOTALS = ("read", "created", "updated", "merged", "skipped", "ignored")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Photos and web uploads go to a folder of this test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- Helpers ---------------------------------------------------------------------------


def import_bytes(
    workspace, fmt: str, data: bytes, *, batch_size: int = BATCH_SIZE, **kwargs: Any
) -> ImportResult:
    """The loader on what the format's parser makes of `data` (the path every caller takes)."""
    options = formats.ParseOptions(
        time_zone=kwargs.pop("time_zone", "Europe/Berlin"), mapping=kwargs.pop("mapping", {})
    )
    return import_records(
        workspace=workspace,
        records=formats.parse(fmt, io.BytesIO(data), options),
        source=ImportSource(fmt, kwargs.pop("filename", f"upload.{fmt}")),
        batch_size=batch_size,
        **kwargs,
    )


def command(workspace, fmt: str, path: Path, *extra: str) -> dict[str, int]:
    """`followthrough import` on a file; the counts of the summary line it prints."""
    out = io.StringIO()
    call_command("import", fmt, str(path), "--workspace", workspace.slug, *extra, stdout=out)
    found = SUMMARY.search(out.getvalue())
    assert found, out.getvalue()
    return {
        name: int(value.replace(",", ""))
        for name, value in zip(TOTALS, found.groups(), strict=True)
    }


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def linkedin_csv(rows: int, bad: tuple[int, int, str] | None = None) -> bytes:
    """A LinkedIn-shaped CSV: the header on line 1, person i on line i + 2; `bad` puts a
    value into one cell: (line, column index, value)."""
    lines = [LINKEDIN_HEADER]
    for i in range(rows):
        cells = [f"Person{i:05d}", "Example", "", f"person{i}@example.org", "", "", "05 Mar 2024"]
        if bad is not None and bad[0] == i + 2:
            cells[bad[1]] = bad[2]
        lines.append(",".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode()


def vcard_file(cards: list[list[str]], version: str = "3.0") -> str:
    return "".join(
        "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]) + "\r\n"
        for lines in cards
    )


def ics_file(*events: list[str]) -> str:
    body = "".join("\r\n".join(["BEGIN:VEVENT", *lines, "END:VEVENT"]) + "\r\n" for lines in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{body}END:VCALENDAR\r\n"


def snapshot(workspace) -> dict[str, list[dict]]:
    """Every row of the workspace's data (people, organizations, contact points, tags,
    events, attendances, relationships, external ids …) with every column, timestamps
    included; the import history (ImportBatch, ImportedObject) is not data."""
    rows: dict[str, list[dict]] = {}
    for model in apps.get_models():
        if not issubclass(model, WorkspaceScoped) or model in (ImportBatch, ImportedObject):
            continue
        query = model.objects.filter(workspace=workspace).order_by("pk")
        rows[model._meta.label] = list(query.values())
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through._meta.auto_created:
                owner = m2m.m2m_field_name()
                query = through.objects.filter(**{f"{owner}__workspace": workspace})
                rows[through._meta.label] = list(query.order_by("pk").values())
    return rows


def stored(workspace) -> dict[str, list[tuple]]:
    """What an import left in a workspace, without ids or times: to compare workspaces."""
    people = Person.objects.filter(workspace=workspace).order_by("first_name", "last_name")
    return {
        "people": [
            (
                p.first_name,
                p.last_name,
                p.notes,
                sorted(p.contact_points.values_list("kind", "value")),
                sorted(p.affiliations.values_list("organization__name", "role")),
            )
            for p in people
        ],
        "organizations": sorted(
            Organization.objects.filter(workspace=workspace)
            .exclude(pk=workspace.organization_id)  # the workspace's own profile
            .values_list("name", flat=True)
        ),
        "events": sorted(
            Event.objects.filter(workspace=workspace).values_list(
                "title", "location", "notes", "starts_at", "time_zone", "rrule"
            )
        ),
        "attendances": sorted(
            Attendance.objects.filter(workspace=workspace).values_list(
                "person__first_name", "person__last_name", "rsvp"
            )
        ),
    }


@contextmanager
def hang_guard(seconds: int = 30) -> Iterator[None]:
    """A safety net, not a timing assertion: turns a hang into a failure. pytest-timeout
    is not a dependency (pyproject), so SIGALRM does it, where there is one."""
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still parsing after {seconds} s: the input is not bounded")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- E1: all or nothing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (3, "not-an-email", "“not-an-email” is not a valid e-mail address."),
        (6, "31 Feb 2024", "“31 Feb 2024” is not a possible date"),
        (2, "https://example.org/in/person", "is not a LinkedIn profile address."),
    ],
    ids=["email", "connected-on", "url"],
)
def test_e1_bad_row_in_the_middle_commits_nothing_and_names_row_and_column(
    workspace, column, value, message
):
    """Row 58 as a spreadsheet numbers it (the header is row 1) is line 58 of the file.
    Small batches, so 50 people are written before the bad row is read: they go too."""
    data = linkedin_csv(100, bad=(58, column, value))
    written: list[int] = []
    before = {model: model.objects.count() for model in (Person, Organization, ImportBatch)}

    def progress(result: ImportResult) -> None:
        written.append(Person.objects.filter(workspace=workspace).count())

    with pytest.raises(ImportFailed) as failure:
        import_bytes(workspace, "linkedin", data, batch_size=10, progress=progress)

    header = LINKEDIN_HEADER.split(",")
    assert (failure.value.line, failure.value.field) == (58, header[column])
    assert str(failure.value).startswith(f"line 58, field “{header[column]}”: ")
    assert message in str(failure.value)
    assert written[-1] == 50  # rows were in the database before the bad row …
    after = {model: model.objects.count() for model in before}  # … and none is now
    assert after == before == {Person: 0, Organization: 1, ImportBatch: 0}  # 1: the workspace's
    assert not ImportedObject.objects.exists()
    assert failure.value.result.errors == [(58, header[column], failure.value.message)]


def test_e1_import_command_names_line_58_and_its_column_and_saves_nothing(workspace, tmp_path):
    path = write(tmp_path, "Connections.csv", linkedin_csv(100, bad=(58, 3, "not-an-email")))
    with pytest.raises(CommandError) as failure:
        command(workspace, "linkedin", path)
    assert str(failure.value) == (
        "Connections.csv: line 58, field “Email Address”: “not-an-email” is not a valid "
        "e-mail address. Nothing was imported."
    )
    assert not Person.objects.exists() and not ImportBatch.objects.exists()


@pytest.mark.parametrize("fmt", ["vcard", "ics"])
def test_e1_bad_card_or_event_in_the_middle_commits_nothing_and_names_it(workspace, fmt):
    """The same for the line-based formats: the error names the line the 58th card or
    event begins on, and its property."""
    if fmt == "vcard":
        cards = [[f"FN:Person {i}", f"EMAIL:p{i}@example.org"] for i in range(100)]
        cards[57].append("BDAY:1985-02-30")
        data, field = vcard_file(cards), "BDAY"
    else:
        events = [
            [
                f"UID:e{i}",
                f"SUMMARY:Event {i}",
                f"DTSTART:2024{1 + i // 28:02d}{1 + i % 28:02d}T090000Z",
            ]
            for i in range(100)
        ]
        events[57].append("DTEND:20000101T000000Z")
        data, field = ics_file(*events), "DTEND"
    begins = [n for n, line in enumerate(data.splitlines(), 1) if line.startswith("BEGIN:V")]
    line_of_58th = begins[57 + (fmt == "ics")]  # after BEGIN:VCALENDAR

    with pytest.raises(ImportFailed) as failure:
        import_bytes(workspace, fmt, data.encode(), batch_size=10)

    assert (failure.value.line, failure.value.field) == (line_of_58th, field)
    assert not Person.objects.exists() and not Event.objects.exists()
    assert not ImportBatch.objects.exists()


def test_e1_duplicate_email_at_row_58_is_merged_not_a_constraint_error(workspace):
    """The checklist's own bad row (a unique e-mail repeated) is no error here: an e-mail
    is a dedupe key, so the second row is the same person (merged)."""
    data = linkedin_csv(100, bad=(58, 3, "person9@example.org"))  # line 11's address
    result = import_bytes(workspace, "linkedin", data, batch_size=10)
    assert (result.read, result.created, result.merged) == (100, 99, 1)
    assert Person.objects.filter(workspace=workspace).count() == 99


# --- E2: idempotent re-import ----------------------------------------------------------

SAMPLES = [
    ("linkedin_Connections.csv", "linkedin"),
    ("google_contacts.csv", "google"),
    ("outlook_contacts_cp1252_semicolon.csv", "outlook"),
    ("eventbrite_attendees.csv", "eventbrite"),
    ("apple_contacts_3.0.vcf", "vcard"),
    ("android_2.1_quoted_printable.vcf", "vcard"),
    ("vcard_4.0.vcf", "vcard"),
    ("google_calendar_breakfast.ics", "ics"),
    ("outlook_calendar_windows_tz.ics", "ics"),
    ("csv/google_old_layout_utf16.csv", "google"),
    ("csv/outlook_german_cp1252.csv", "outlook"),
    ("ics/outlook_custom_timezone.ics", "ics"),
    ("vcard/outlook_2.1_base64_photo_cp1252.vcf", "vcard"),
]


@pytest.mark.parametrize(("name", "fmt"), SAMPLES, ids=[name for name, _ in SAMPLES])
def test_e2_same_file_twice_changes_zero_rows(workspace, name, fmt):
    extra = ["--event", str(make_event(workspace).pk)] if fmt == "eventbrite" else []
    first = command(workspace, fmt, DATA / name, *extra)
    before = snapshot(workspace)

    second = command(workspace, fmt, DATA / name, *extra)

    assert first["created"] > 0
    assert (second["created"], second["updated"], second["merged"]) == (0, 0, 0)
    assert second["skipped"] == first["read"] - first["ignored"]
    assert snapshot(workspace) == before  # not one row, not one column, not one timestamp


def _emails(person: Person) -> set[str]:
    return set(person.contact_points.filter(kind=ContactKind.EMAIL).values_list("value", flat=True))


def test_e2_changed_email_with_a_vcard_uid_updates_the_same_person(workspace, tmp_path):
    """Docs: people are matched by source id (vCard UID) first."""
    card = ["UID:urn:uuid:ada-1", "N:Lovelace;Ada;;;", "FN:Ada Lovelace", "EMAIL:ada@old.example"]
    command(workspace, "vcard", write(tmp_path, "a.vcf", vcard_file([card]).encode()))
    card[-1] = "EMAIL:ada@new.example"
    counts = command(workspace, "vcard", write(tmp_path, "b.vcf", vcard_file([card]).encode()))

    assert (counts["created"], counts["updated"]) == (0, 1)
    (ada,) = Person.objects.filter(workspace=workspace)
    assert _emails(ada) == {"ada@old.example", "ada@new.example"}  # gains, never loses


def test_e2_changed_email_with_a_linkedin_url_updates_the_same_person(workspace, tmp_path):
    """Docs: … then e-mail, then LinkedIn profile: the new address finds no one, the
    profile URL finds Ada."""
    row = "Ada,Lovelace,https://www.linkedin.com/in/ada,{},Engines,Founder,10 Dec 2015"
    for name, email in (("a.csv", "ada@old.example"), ("b.csv", "ada@new.example")):
        data = f"{LINKEDIN_HEADER}\r\n{row.format(email)}\r\n".encode()
        counts = command(workspace, "linkedin", write(tmp_path, name, data))
    assert (counts["created"], counts["updated"]) == (0, 1)
    (ada,) = Person.objects.filter(workspace=workspace)
    assert _emails(ada) == {"ada@old.example", "ada@new.example"}


def test_e2_changed_email_without_another_key_is_a_new_person_and_a_suggested_merge(workspace):
    """Docs: with no source id or profile, the e-mail is the key; a similar name at the
    same organization is only suggested, never merged."""
    row = "First Name,Last Name,E-mail 1 - Value,Organization Name\r\nAda,Lovelace,{},Engines\r\n"
    first = import_bytes(workspace, "google", row.format("ada@old.example").encode())
    second = import_bytes(workspace, "google", row.format("ada@new.example").encode())

    assert (second.created, second.updated) == (1, 0)
    old, new = Person.objects.filter(workspace=workspace).order_by("pk")
    (suggestion,) = second.suggestions
    assert (suggestion.person_id, suggestion.other_id) == (new.pk, old.pk)
    assert suggestion.reason == "similar name at the same organization"
    assert first.suggestions == []


def test_e2_dedupe_keys_are_documented():
    cli = (ROOT / "docs" / "cli.md").read_text()
    line = next(line for line in cli.splitlines() if "`followthrough import FORMAT" in line)
    assert "People are matched by source id (vCard UID, platform id), e-mail, LinkedIn" in line
    assert "Re-importing a file changes nothing" in line
    guide = (ROOT / "docs" / "user-guide.md").read_text()
    assert "recognized by their vCard UID or platform id, e-mail, or LinkedIn profile" in guide
    command_module = importlib.import_module("followthrough.exchange.management.commands.import")
    assert "matched by source id, e-mail, then LinkedIn profile URL" in command_module.Command.help


# --- E3: no silent zero-row success ----------------------------------------------------

ZERO_RECORD_FILES = [
    ("linkedin", f"{LINKEDIN_HEADER}\r\n".encode(), "No contacts found"),
    ("linkedin", b'Notes:\r\n"Some e-mail addresses are missing."\r\n\r\n', "No header row"),
    ("linkedin", f"{LINKEDIN_HEADER}\r\n,,,,,,05 Mar 2024\r\n".encode(), "No contacts found"),
    ("google", b"First Name,Last Name,E-mail 1 - Value\r\n", "No contacts found"),
    ("outlook", "Vorname;Nachname;E-Mail\r\n".encode("cp1252"), "No contacts found"),
    ("csv", b"Email\r\n\r\n", "No contacts found"),
    ("eventbrite", b"Order #,First Name,Last Name,Email,Attendee Status\r\n", "No attendees"),
    ("vcard", b"", "no contacts"),
    ("vcard", vcard_file([["KIND:group", "FN:Team"]], "4.0").encode(), "no contacts"),
    ("ics", ics_file().encode(), "no events"),
    ("ics", b"", "no events"),
    ("outlook", b"", "The file is empty."),
]


@pytest.mark.parametrize(
    ("fmt", "data", "words"),
    ZERO_RECORD_FILES,
    ids=[f"{fmt}-{i}" for i, (fmt, _, _) in enumerate(ZERO_RECORD_FILES)],
)
def test_e3_zero_record_files_are_errors(workspace, tmp_path, fmt, data, words):
    extra = {
        "csv": ["--mapping", '{"Email": "email"}'],
        "eventbrite": ["--event", str(make_event(workspace).pk)],
    }.get(fmt, [])
    with pytest.raises(CommandError) as failure:
        command(workspace, fmt, write(tmp_path, "file", data), *extra)
    assert words in str(failure.value)
    assert str(failure.value).endswith("Nothing was imported.")
    assert not ImportBatch.objects.exists() and not Person.objects.exists()


def test_e3_records_with_nothing_to_import_are_an_error_not_a_zero_success(workspace):
    """LifeOS#814's zero-record "success", at the loader: every record read, none kept."""
    with pytest.raises(ImportFailed, match="none of the file's 3 records had anything"):
        load(workspace, [PersonRecord(line=n, notes="Notes:") for n in (2, 3, 4)])
    assert not ImportBatch.objects.exists()


def _checklist_b_format(path: Path) -> tuple[str, list[str]]:
    if path.suffix == ".vcf":
        return "vcard", []
    if path.suffix == ".ics":
        return "ics", []
    for word, fmt in (("linkedin", "linkedin"), ("google", "google"), ("excel", "outlook")):
        if word in path.name:
            return fmt, []
    return "csv", ["--mapping", '{"name": "full_name", "note": "notes"}']


B_SAMPLES = sorted(p for p in CHECKLIST_B.iterdir() if p.suffix in (".vcf", ".csv", ".ics"))
B_BROKEN = {"vcard_missing_end.vcf": "END:VCARD is missing"}


@pytest.mark.parametrize("path", B_SAMPLES, ids=[p.name for p in B_SAMPLES])
def test_e3_checklist_b_samples_give_a_summary_and_never_zero_created(workspace, path):
    fmt, extra = _checklist_b_format(path)
    if path.name in B_BROKEN:
        with pytest.raises(CommandError, match=B_BROKEN[path.name]):
            command(workspace, fmt, path, *extra)
        assert not ImportBatch.objects.exists()
        return
    counts = command(workspace, fmt, path, *extra)
    assert counts["created"] >= 1
    assert counts["read"] == sum(counts[name] for name in TOTALS[1:])
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.DONE
    assert {name: batch.counts[name] for name in TOTALS} == counts


def test_e3_a_failure_carries_the_counts_so_far_and_its_one_error(workspace):
    """The summary's "failed": an import stops at its first bad record, so a failure is
    that one error (line, field, message) with the counts up to it."""
    with pytest.raises(ImportFailed) as failure:
        import_bytes(workspace, "linkedin", linkedin_csv(30, bad=(25, 3, "x@")), batch_size=10)
    result = failure.value.result
    assert result.totals() == dict.fromkeys(TOTALS, 0) | {"read": 20, "created": 20}
    assert result.errors == [(25, "Email Address", "“x@” is not a valid e-mail address.")]


def test_e3_an_empty_header_column_is_ignored(workspace):
    """ProtonMail/proton-contacts#292: an empty header cell broke the import."""
    data = b"First Name,,Last Name,E-mail 1 - Value\r\nAda,x,Lovelace,ada@example.org\r\n"
    assert import_bytes(workspace, "google", data).created == 1
    assert Person.objects.get().last_name == "Lovelace"


# --- E4: encodings ---------------------------------------------------------------------

# One text per format, with characters that UTF-8 and Windows-1252 encode differently.
TEXTS = {
    "linkedin": (
        f"{LINKEDIN_HEADER}\r\n"
        "Jürgen,Müller,https://www.linkedin.com/in/juergen,j@example.de,Tafel Köln e.V.,"
        "Schatzmeister,05 Mar 2024\r\n"
        "Zoë,Château,,zoe@example.fr,Café “Süd”,Rôle — €5,10 Dec 2015\r\n"
    ),
    "vcard": vcard_file(
        [
            ["N:Müller;Jürgen;;;", "FN:Jürgen Müller", "ORG:Tafel Köln e.V.", "EMAIL:j@example.de"],
            ["N:Château;Zoë;;;", "FN:Zoë Château", "NOTE:Café “Süd” — €5"],
        ]
    ),
    "ics": ics_file(
        [
            "UID:e4@example.org",
            "DTSTART;TZID=Europe/Berlin:20240710T160000",
            "SUMMARY:Frühstück im Café “Süd”",
            "LOCATION:Köln",
            "DESCRIPTION:Zoë Château — €5",
            "ATTENDEE;CN=Jürgen Müller;PARTSTAT=ACCEPTED:mailto:j@example.de",
        ]
    ),
}
EXPECTED_WORDS = {
    "linkedin": (
        "'Jürgen', 'Müller'",
        "'Zoë', 'Château'",
        "Tafel Köln e.V.",
        "Café “Süd”",
        "Rôle — €5",
    ),
    "vcard": ("'Jürgen', 'Müller'", "'Zoë', 'Château'", "Tafel Köln e.V.", "Café “Süd” — €5"),
    "ics": ("Frühstück im Café “Süd”", "'Köln'", "Zoë Château — €5", "'Jürgen Müller', ''"),
}
ENCODINGS = {
    "utf8": lambda text: text.encode("utf-8"),
    "utf8_bom": lambda text: text.encode("utf-8-sig"),
    "utf16le_bom": lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
    "cp1252": lambda text: text.encode("cp1252"),
}


def _parsed(fmt: str, encoding: str) -> list:
    data = ENCODINGS[encoding](TEXTS[fmt])
    return list(formats.parse(fmt, io.BytesIO(data), formats.ParseOptions()))


@pytest.mark.parametrize("fmt", sorted(TEXTS))
def test_e4_utf8_gives_the_expected_records_without_mojibake(workspace, fmt):
    import_bytes(workspace, fmt, ENCODINGS["utf8"](TEXTS[fmt]))
    text = repr(stored(workspace))
    for word in EXPECTED_WORDS[fmt]:
        assert word in text, word
    assert "Ã" not in text and "â€" not in text and "\ufffd" not in text


def _same_as_utf8(workspace, fmt: str, encoding: str) -> None:
    assert _parsed(fmt, encoding) == _parsed(fmt, "utf8")  # every field, line numbers too
    reference = make_workspace("UTF-8 reference")
    import_bytes(reference, fmt, ENCODINGS["utf8"](TEXTS[fmt]))
    import_bytes(workspace, fmt, ENCODINGS[encoding](TEXTS[fmt]))
    assert stored(workspace) == stored(reference)


@pytest.mark.parametrize("fmt", sorted(TEXTS))
def test_e4_utf8_bom_gives_identical_records(workspace, fmt):
    _same_as_utf8(workspace, fmt, "utf8_bom")


@pytest.mark.parametrize("fmt", sorted(TEXTS))
def test_e4_utf16le_bom_gives_identical_records(workspace, fmt):
    _same_as_utf8(workspace, fmt, "utf16le_bom")


@pytest.mark.parametrize("fmt", sorted(TEXTS))
def test_e4_cp1252_gives_identical_records(workspace, fmt):
    _same_as_utf8(workspace, fmt, "cp1252")


def _preview(client, workspace, fmt: str, data: bytes):
    return client.post(
        reverse("exchange:import", args=[workspace.slug]),
        {
            "format": fmt,
            "file": SimpleUploadedFile("upload", data, content_type="text/csv"),
            "time_zone": "Europe/Berlin",
        },
    )


def test_e4_web_upload_in_any_encoding_is_a_preview_or_a_clear_error_never_a_500(
    owner_client, workspace
):
    for encoding in ENCODINGS:
        response = _preview(
            owner_client, workspace, "linkedin", ENCODINGS[encoding](TEXTS["linkedin"])
        )
        assert response.status_code == 200, encoding
        assert response.context["result"].created == 2
    mixed = TEXTS["linkedin"].encode() + "Jörg,Weiß,,,,,05 Mar 2024\r\n".encode("cp1252")
    response = _preview(owner_client, workspace, "linkedin", mixed)
    assert response.status_code == 422
    error = response.context["import_error"]
    assert error.line == 4 and "mix encodings" in error.message
    assert not Person.objects.exists()


# --- E5: delimiters --------------------------------------------------------------------


def test_e5_semicolon_separated_cp1252_file_gets_the_right_columns(workspace, tmp_path):
    text = "Vorname;Nachname;E-Mail;Firma\r\nJürgen;Müller;j@example.de;Tafel, Köln e.V.\r\n"
    path = write(tmp_path, "kontakte.csv", text.encode("cp1252"))
    command(workspace, "outlook", path)
    mapping = '{"Vorname": "first_name", "Nachname": "last_name", "E-Mail": "email"}'
    other = make_workspace("Generic CSV")
    command(other, "csv", path, "--mapping", mapping)

    for space in (workspace, other):
        (jurgen,) = Person.objects.filter(workspace=space)
        assert (jurgen.first_name, jurgen.last_name) == ("Jürgen", "Müller")
        assert _emails(jurgen) == {"j@example.de"}
    (company,) = Organization.objects.filter(workspace=workspace).exclude(
        pk=workspace.organization_id
    )
    assert company.name == "Tafel, Köln e.V."


def test_e5_one_column_email_file_gets_the_right_column(workspace, tmp_path):
    """csv.Sniffer took `l` for the delimiter of such a file; only , ; tab | are tried."""
    addresses = ["lola@example.org", "lily.lu@example.org", "ella@mail.example"]
    path = write(tmp_path, "list.csv", ("Email\r\n" + "\r\n".join(addresses) + "\r\n").encode())
    counts = command(workspace, "csv", path, "--mapping", '{"Email": "email"}')

    assert counts["created"] == 3
    people = Person.objects.filter(workspace=workspace)
    assert {p.first_name: _emails(p) for p in people} == {a: {a} for a in addresses}
    assert csv_common.DELIMITERS == (",", ";", "\t", "|")


# --- E6: size and time -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["vcard", "google"])
def test_e6_200_kb_note_field_is_imported_whole(workspace, fmt):
    note = "Notizen über Förderer. " * 9_000  # 207 kB
    if fmt == "vcard":
        data = vcard_file([["FN:Ada Lovelace", f"NOTE:{note}"]]).encode()
    else:
        data = f'First Name,Last Name,Notes\r\nAda,Lovelace,"{note}"\r\n'.encode()
    assert len(data) > 200_000
    import_bytes(workspace, fmt, data)
    assert Person.objects.get().notes == note.strip()


def test_e6_bad_photo_skips_only_the_photo(workspace):
    image = base64.b64encode(png()).decode()
    not_an_image = base64.b64encode(b"<html>not an image</html>").decode()
    cards = [
        ["FN:Good Photo", f"PHOTO;ENCODING=b;TYPE=PNG:{image}"],
        ["FN:Broken Base64", "PHOTO;ENCODING=b;TYPE=JPEG:!!!not base64!!!"],
        ["FN:Html Photo", f"PHOTO;ENCODING=b;TYPE=JPEG:{not_an_image}"],
        ["FN:Data Uri", f"PHOTO:data:image/png;base64,{not_an_image}"],
    ]
    result = import_bytes(workspace, "vcard", vcard_file(cards).encode())

    assert result.created == 4
    photos = {p.first_name: bool(p.photo) for p in Person.objects.filter(workspace=workspace)}
    assert photos == {
        "Good Photo": True,
        "Broken Base64": False,
        "Html Photo": False,
        "Data Uri": False,
    }
    assert sum("photo left out" in warning for warning in result.warnings) == 3
    assert any("is not valid base64" in warning for warning in result.warnings)


def test_e6_oversized_photo_skips_only_the_photo(workspace):
    huge = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * vcard.MAX_PHOTO).decode()
    cards = [["FN:Small Photo", f"PHOTO;ENCODING=b;TYPE=PNG:{base64.b64encode(png()).decode()}"]]
    cards.append(["FN:Huge Photo", f"PHOTO;ENCODING=b;TYPE=PNG:{huge}"])
    result = import_bytes(workspace, "vcard", vcard_file(cards).encode())
    assert result.created == 2
    assert not Person.objects.get(first_name="Huge Photo").photo
    assert Person.objects.get(first_name="Small Photo").photo
    assert [w for w in result.warnings if "photo" in w] == [
        f"line {result.preview[1].line}: photo left out: the photo on line "
        f"{result.preview[1].line + 3} is larger than 5 MB"
    ]


def test_e6_10_mb_vcf_with_photos_imports_every_card_and_photo(workspace):
    noise = random.Random(6).randbytes(300 * 300 * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (300, 300), noise).save(buffer, "PNG")
    photo = base64.b64encode(buffer.getvalue()).decode()
    folded = "\r\n ".join(photo[i : i + 74] for i in range(0, len(photo), 74))
    cards = [
        [f"FN:Person {i}", f"UID:p{i}", f"PHOTO;ENCODING=b;TYPE=PNG:{folded}"] for i in range(30)
    ]
    data = vcard_file(cards).encode()
    assert len(data) > 10 * 1024 * 1024

    result = import_bytes(workspace, "vcard", data)

    assert (result.read, result.created) == (30, 30)
    people = Person.objects.filter(workspace=workspace)
    assert people.exclude(photo="").count() == 30


def test_e6_20k_row_csv_imports_in_process_in_batches(workspace):
    data = linkedin_csv(20_000)
    reported: list[int] = []
    result = import_bytes(workspace, "linkedin", data, progress=lambda r: reported.append(r.read))

    assert (result.read, result.created) == (20_000, 20_000)
    assert reported == list(range(BATCH_SIZE, 20_001, BATCH_SIZE))
    assert Person.objects.filter(workspace=workspace).count() == 20_000


def test_e6_upload_and_field_limits_exist_and_are_enforced(workspace, tmp_path):
    assert forms.MAX_UPLOAD_BYTES == 50 * 1024 * 1024
    assert "50 MB" in forms.ImportForm.base_fields["file"].help_text
    upload = SimpleUploadedFile("big.csv", b"x")
    upload.size = forms.MAX_UPLOAD_BYTES + 1
    form = forms.ImportForm(
        {"format": "linkedin", "time_zone": "UTC"}, {"file": upload}, workspace=workspace
    )
    assert not form.is_valid()
    assert "the limit is 50 MB" in form.errors["file"][0]
    # A CSV cell may hold up to FIELD_LIMIT characters (Python's own limit is 131,072).
    assert csv_common.FIELD_LIMIT == 1_000_000
    huge = "x" * (csv_common.FIELD_LIMIT + 1)
    data = f'First Name,Last Name,Notes\nAda,Lovelace,ok\nGrace,Hopper,"{huge}"\n'.encode()
    with pytest.raises(CommandError, match=r"line 3: A cell is longer than the limit of 1,000,000"):
        command(workspace, "google", write(tmp_path, "huge.csv", data))
    assert csv.field_size_limit() == csv_common.FIELD_LIMIT
    assert (vcard.MAX_CARD, vcard.MAX_PHOTO) == (10 * 1024 * 1024, 5 * 1024 * 1024)
    assert (ics.MAX_COMPONENT, ics.MAX_DEPTH) == (10 * 1024 * 1024, 16)
    assert formats.MAX_OCCURRENCES == 1000


def test_e6_limits_are_documented_for_users():
    docs = (ROOT / "README.md").read_text() + "".join(
        page.read_text() for page in sorted((ROOT / "docs").glob("*.md")) if page != INDEX
    )
    assert "50 MB" in docs
    assert re.search(r"(1,000,000|1 000 000|one million|1 million)[ -]characters?", docs)


def test_e6_web_import_runs_as_a_background_job_with_progress(
    owner_client, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    """Confirming a preview enqueues a task (immediate in tests); while it runs, the
    status page shows a progress bar and the records read so far, after each batch."""
    data = linkedin_csv(2_500)
    pages: list[str] = []
    real_import = tasks.import_records

    def spying_import(**kwargs: Any) -> ImportResult:
        batch, report = kwargs.get("batch"), kwargs["progress"]
        if batch is not None:  # the background run, not the preview

            def progress(result: ImportResult) -> None:
                report(result)
                url = reverse("exchange:import-status", args=[workspace.slug, batch.pk])
                pages.append(owner_client.get(url, headers={"HX-Request": "true"}).content.decode())

            kwargs["progress"] = progress
        return real_import(**kwargs)

    monkeypatch.setattr(tasks, "import_records", spying_import)
    response = _preview(owner_client, workspace, "linkedin", data)
    assert response.status_code == 200 and not Person.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        run = owner_client.post(
            reverse("exchange:import-run", args=[workspace.slug]),
            {"token": response.context["token"]},
        )

    assert run.status_code == 303
    assert len(pages) == 3
    for page, read in zip(pages, (1000, 2000, 2500), strict=True):
        assert "<progress" in page and f"{read} records read, {read} new" in page
    assert ImportBatch.objects.get().status == ImportStatus.DONE
    assert Person.objects.filter(workspace=workspace).count() == 2_500


def test_e6_web_preview_of_a_large_file_runs_in_the_background_not_the_request(
    owner_client, workspace, monkeypatch, settings, django_capture_on_commit_callbacks
):
    """Above IMPORT_PREVIEW_INLINE_BYTES the upload request only keeps the file and
    queues the preview: no record is read in the request (monica#3053's 504)."""
    settings.IMPORT_PREVIEW_INLINE_BYTES = 10_000
    data = linkedin_csv(2_500)
    assert len(data) > settings.IMPORT_PREVIEW_INLINE_BYTES
    read: list[int] = []
    real_import = tasks.import_records

    def counting_import(**kwargs: Any) -> ImportResult:
        result = real_import(**kwargs)
        read.append(result.read)
        return result

    monkeypatch.setattr(tasks, "import_records", counting_import)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _preview(owner_client, workspace, "linkedin", data)
    assert response.status_code == 303
    assert reverse("exchange:import-preview", args=[workspace.slug]) in response["Location"]
    assert read == []  # nothing read in the request
    for callback in queued:  # the worker's turn (immediate in tests)
        callback()
    assert read == [2_500]
    page = owner_client.get(response["Location"]).content.decode()
    assert "Import preview" in page and "2500" in page.replace(",", "")
    assert Person.objects.filter(workspace=workspace).count() == 0


# --- E7: parser denial of service ------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY;COUNT=2000000000",
        "FREQ=SECONDLY",
        "FREQ=SECONDLY;UNTIL=99991231T235959Z",
        "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
    ],
)
def test_e7_rrule_freq_secondly_count_2000000000_stays_one_unexpanded_event(workspace, rule):
    data = ics_file(["UID:bomb", "SUMMARY:Bomb", "DTSTART:20240710T140000Z", f"RRULE:{rule}"])
    with hang_guard():
        result = import_bytes(workspace, "ics", data.encode())
    (event,) = Event.objects.filter(workspace=workspace)
    assert event.rrule == rule  # kept as the file gave it, never expanded
    if "COUNT" in rule:
        assert result.warnings == [
            "line 4: the series has 2,000,000,000 occurrences, more than the 1,000 that are "
            "ever expanded"
        ]


def test_e7_valarm_repeat_huge_is_skipped_unread(workspace):
    alarm = ["BEGIN:VALARM", "ACTION:AUDIO", "TRIGGER:-PT15M", "REPEAT:2000000000",
             "DURATION:PT1S", "ATTENDEE:mailto:alarm@example.org", "END:VALARM"]  # fmt: skip
    data = ics_file(["UID:a", "SUMMARY:Alarmed", "DTSTART:20240710T140000Z", *alarm * 200])
    with hang_guard():
        result = import_bytes(workspace, "ics", data.encode())
    assert (result.read, result.created) == (1, 1)
    assert Event.objects.get().title == "Alarmed"
    assert not Attendance.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize("depth", [100, 100_000])
@pytest.mark.parametrize("inside", ["VCALENDAR", "VEVENT"])
def test_e7_deeply_nested_vcalendar_is_a_parse_error(workspace, depth, inside):
    event = ["BEGIN:VEVENT", "UID:n", "SUMMARY:Nested", "DTSTART:20240101T100000Z"]
    if inside == "VCALENDAR":
        lines = ["BEGIN:VCALENDAR"] * depth + [*event, "END:VEVENT"] + ["END:VCALENDAR"] * depth
    else:  # components nested inside the event
        lines = [*event, *["BEGIN:VALARM"] * depth, *["END:VALARM"] * depth, "END:VEVENT"]
    with hang_guard(), pytest.raises(ImportFailed, match="nested more than 16 deep"):
        import_bytes(workspace, "ics", "\r\n".join(lines).encode())
    assert not Event.objects.exists()


@pytest.mark.parametrize("where", ["DESCRIPTION", "SUMMARY", "LOCATION", "TZID"])
def test_e7_100_kb_of_backslashes_parses(workspace, where):
    slashes = "\\" * 100_000
    lines = ["UID:b", "SUMMARY:Backslashes", "DTSTART:20240101T100000Z"]
    if where == "TZID":
        lines[2] = f"DTSTART;TZID={slashes}:20240101T100000"
    else:
        lines.append(f"{where}:{slashes}")
        if where == "SUMMARY":
            del lines[1]
    with hang_guard():
        import_bytes(workspace, "ics", ics_file(lines).encode())
    event = Event.objects.get()
    if where == "TZID":  # no zone of that name: the event is taken in the given zone
        assert event.time_zone == "Europe/Berlin"
    else:
        value = {"DESCRIPTION": event.notes, "SUMMARY": event.title, "LOCATION": event.location}
        assert value[where] and set(value[where]) == {"\\"}


@pytest.mark.parametrize("count", [100_000, 100_001])
def test_e7_100_kb_of_backslashes_in_a_vcard_or_a_bare_line(workspace, count):
    slashes = "\\" * count
    with hang_guard():
        import_bytes(workspace, "vcard", vcard_file([["FN:A", f"NOTE:{slashes}"]]).encode())
        with pytest.raises(ImportFailed, match="outside any component"):
            import_bytes(workspace, "ics", slashes.encode())
    assert set(Person.objects.get().notes) == {"\\"}


def test_e7_vtimezone_recurrence_bombs_are_bounded_or_refused(workspace):
    zone = (
        "BEGIN:VTIMEZONE\r\nTZID:Bomb\r\nBEGIN:STANDARD\r\nDTSTART:16011028T030000\r\n"
        "RRULE:{rule}\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
        "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    )
    event = "BEGIN:VEVENT\r\nUID:z\r\nSUMMARY:Z\r\nDTSTART;TZID=Bomb:20240110T160000\r\n"

    def calendar(rule: str) -> bytes:
        body = zone.format(rule=rule) + event + "END:VEVENT\r\n"
        return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n".encode()

    with hang_guard():
        yearly = "FREQ=YEARLY;COUNT=2000000000;BYDAY=-1SU;BYMONTH=10"
        import_bytes(workspace, "ics", calendar(yearly))
        with pytest.raises(ImportFailed, match="unsupported rule"):
            import_bytes(workspace, "ics", calendar("FREQ=SECONDLY;COUNT=2000000000"))
    assert Event.objects.get().starts_at.utcoffset() is not None


# Fixed versions the checklist names (section E7 and "Libraries and CVEs seen").
FIXED = {"icalendar": ("7.2.1", "GHSA-qjcq-q7h7-r74v / CVE-2026-77399; 7.1.3 __eq__ fix")}
VULNERABLE = {"icalendar": ("7.2.0", "7.1.3", "7.1.2", "6.3.1")}
NOT_BOUND = ("caldav", "libical", "pylibical")  # GHSA-5h4q-xm57-3mh5; CVE-2016-5823/5824


def test_e7_pinned_library_versions_are_at_least_the_fixed_ones():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [
        Requirement(line)
        for group in [project["dependencies"], *project["optional-dependencies"].values()]
        for line in group
    ]
    by_name = {r.name.lower(): r for r in requirements}
    for name, (fixed, advisory) in FIXED.items():
        requirement = by_name[name]
        specifiers = requirement.specifier
        floors = [Version(s.version) for s in specifiers if s.operator in (">=", "==", "~=")]
        assert floors and min(floors) >= Version(fixed), (name, advisory)
        assert not any(requirement.specifier.contains(v) for v in VULNERABLE[name]), name
        assert Version(importlib.metadata.version(name)) >= Version(fixed), "installed"
    assert not set(NOT_BOUND) & set(by_name)


# --- The index -------------------------------------------------------------------------

CHECKLIST_MODULES = ("tests/exchange/test_checklist_e.py", "tests/exchange/test_format_pitfalls.py")
NODE = re.compile(r"`(tests/exchange/[\w/]+\.py)::(\w+)`")


def _test_functions(path: str) -> set[str]:
    """The test functions a module defines (read, not imported: no side effects)."""
    tree = ast.parse((ROOT / path).read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_index_lists_each_checklist_row_and_only_tests_that_exist():
    rows = [line for line in INDEX.read_text().splitlines() if line.startswith("| ")]
    listed = {(path, name) for line in rows for path, name in NODE.findall(line)}
    for row in ("E1", "E2", "E3", "E4", "E5", "E6", "E7"):
        assert any(line.startswith(f"| {row} ") and NODE.search(line) for line in rows), row
    for path in {path for path, _ in listed}:
        assert (ROOT / path).is_file(), path
        missing = {name for p, name in listed if p == path} - _test_functions(path)
        assert not missing, f"{INDEX.name} names tests {path} does not have: {sorted(missing)}"
    # … and every test of the two checklist modules is named there.
    for path in CHECKLIST_MODULES:
        unlisted = _test_functions(path) - {name for p, name in listed if p == path}
        assert not unlisted, f"not in {INDEX.name}: {sorted(unlisted)}"
