"""Reliability checklist, section E (imports), rows E4 to E7 — encodings, delimiters,
size and time, parser denial of service: every "input to try" run through the real
import path against a real database (E1 to E3 and the index: `test_checklist_e.py`)."""

from __future__ import annotations

import base64
import csv
import importlib
import importlib.metadata
import io
import random
import re
import tomllib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.urls import reverse
from packaging.requirements import Requirement
from packaging.version import Version
from PIL import Image

from followthrough.events.models import Attendance, Event
from followthrough.exchange.formats import registry
from followthrough.exchange.formats.csv import reader as csv_reader
from followthrough.exchange.formats.ics import reader as ics_reader
from followthrough.exchange.formats.vcard import parser as vcard_parser
from followthrough.exchange.imports import forms, tasks
from followthrough.exchange.imports.loader import BATCH_SIZE
from followthrough.exchange.imports.result import ImportFailed, ImportResult
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.people.models import Organization, Person
from tests.exchange.checklist import (
    INDEX,
    LINKEDIN_HEADER,
    ROOT,
    command,
    emails_of,
    hang_guard,
    ics_file,
    import_bytes,
    linkedin_csv,
    stored,
    vcard_file,
    write,
)
from tests.exchange.helpers import png
from tests.factories import make_workspace

pytestmark = pytest.mark.usefixtures("media_root")  # photos and uploads: a folder per test

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
    return list(registry.parse(fmt, io.BytesIO(data), registry.ParseOptions()))


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
        assert emails_of(jurgen) == {"j@example.de"}
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
    assert {p.first_name: emails_of(p) for p in people} == {a: {a} for a in addresses}
    assert csv_reader.DELIMITERS == (",", ";", "\t", "|")


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
    huge = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * vcard_parser.MAX_PHOTO).decode()
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
    assert csv_reader.FIELD_LIMIT == 1_000_000
    huge = "x" * (csv_reader.FIELD_LIMIT + 1)
    data = f'First Name,Last Name,Notes\nAda,Lovelace,ok\nGrace,Hopper,"{huge}"\n'.encode()
    with pytest.raises(CommandError, match=r"line 3: A cell is longer than the limit of 1,000,000"):
        command(workspace, "google", write(tmp_path, "huge.csv", data))
    assert csv.field_size_limit() == csv_reader.FIELD_LIMIT
    assert (vcard_parser.MAX_CARD, vcard_parser.MAX_PHOTO) == (10 * 1024 * 1024, 5 * 1024 * 1024)
    assert (ics_reader.MAX_COMPONENT, ics_reader.MAX_DEPTH) == (10 * 1024 * 1024, 16)
    assert registry.MAX_OCCURRENCES == 1000


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
        assert "<progress" in page and f"{read:,} records read, {read:,} new" in page
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
