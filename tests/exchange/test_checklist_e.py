"""Reliability checklist, section E (imports): every "input to try" of rows E1 to E3 (E4
to E7: `test_checklist_e_files.py`), run through the real import path — the parsers,
`loader.import_records`, the `import` command and the web import — against a real
database, asserting the row's expected outcome. `docs/checklist-imports.md` says which
test covers which input; the last test here keeps that index true."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import re
from pathlib import Path

import pytest
from django.core.management import CommandError

from followthrough.events.models import Event
from followthrough.exchange.formats.records import PersonRecord
from followthrough.exchange.imports.result import ImportFailed, ImportResult
from followthrough.exchange.models import ImportBatch, ImportedObject, ImportStatus
from followthrough.people.models import Organization, Person
from tests.exchange.checklist import (
    CHECKLIST_B,
    DATA,
    INDEX,
    LINKEDIN_HEADER,
    ROOT,
    TOTALS,
    command,
    emails_of,
    ics_file,
    import_bytes,
    linkedin_csv,
    snapshot,
    vcard_file,
    write,
)
from tests.exchange.helpers import load
from tests.factories import make_event

pytestmark = pytest.mark.usefixtures("media_root")  # photos and uploads: a folder per test

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


def test_e2_changed_email_with_a_vcard_uid_updates_the_same_person(workspace, tmp_path):
    """Docs: people are matched by source id (vCard UID) first."""
    card = ["UID:urn:uuid:ada-1", "N:Lovelace;Ada;;;", "FN:Ada Lovelace", "EMAIL:ada@old.example"]
    command(workspace, "vcard", write(tmp_path, "a.vcf", vcard_file([card]).encode()))
    card[-1] = "EMAIL:ada@new.example"
    counts = command(workspace, "vcard", write(tmp_path, "b.vcf", vcard_file([card]).encode()))

    assert (counts["created"], counts["updated"]) == (0, 1)
    (ada,) = Person.objects.filter(workspace=workspace)
    assert emails_of(ada) == {"ada@old.example", "ada@new.example"}  # gains, never loses


def test_e2_changed_email_with_a_linkedin_url_updates_the_same_person(workspace, tmp_path):
    """Docs: … then e-mail, then LinkedIn profile: the new address finds no one, the
    profile URL finds Ada."""
    row = "Ada,Lovelace,https://www.linkedin.com/in/ada,{},Engines,Founder,10 Dec 2015"
    for name, email in (("a.csv", "ada@old.example"), ("b.csv", "ada@new.example")):
        data = f"{LINKEDIN_HEADER}\r\n{row.format(email)}\r\n".encode()
        counts = command(workspace, "linkedin", write(tmp_path, name, data))
    assert (counts["created"], counts["updated"]) == (0, 1)
    (ada,) = Person.objects.filter(workspace=workspace)
    assert emails_of(ada) == {"ada@old.example", "ada@new.example"}


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


def test_e3_a_failure_carries_the_counts_so_far_and_every_error(workspace):
    """The summary's "failed": the import stops writing at its first bad record but
    reads the file on, so a failure is every bad record's error (line, field, message),
    with the records read and the counts of the batches written before the first."""
    with pytest.raises(ImportFailed) as failure:
        import_bytes(workspace, "linkedin", linkedin_csv(30, bad=(25, 3, "x@")), batch_size=10)
    result = failure.value.result
    assert result.totals() == dict.fromkeys(TOTALS, 0) | {"read": 30, "created": 20}
    assert result.errors == [(25, "Email Address", "“x@” is not a valid e-mail address.")]


def test_e3_an_empty_header_column_is_ignored(workspace):
    """ProtonMail/proton-contacts#292: an empty header cell broke the import."""
    data = b"First Name,,Last Name,E-mail 1 - Value\r\nAda,x,Lovelace,ada@example.org\r\n"
    assert import_bytes(workspace, "google", data).created == 1
    assert Person.objects.get().last_name == "Lovelace"


# --- The index -------------------------------------------------------------------------

CHECKLIST_MODULES = (
    "tests/exchange/test_checklist_e.py",
    "tests/exchange/test_checklist_e_files.py",
    "tests/exchange/test_format_pitfalls.py",
)
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
