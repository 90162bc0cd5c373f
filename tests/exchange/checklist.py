"""Shared parts of the checklist section E tests (`test_checklist_e*.py`): the files
they build, how they import them, and what they compare."""

from __future__ import annotations

import io
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management import call_command

from followthrough.events.models import Attendance, Event
from followthrough.exchange.formats import registry
from followthrough.exchange.imports.loader import BATCH_SIZE, import_records
from followthrough.exchange.imports.result import ImportResult, ImportSource
from followthrough.exchange.models import ImportBatch, ImportedObject
from followthrough.people.models import ContactKind, Organization, Person
from followthrough.workspaces.models import WorkspaceScoped

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


# --- Helpers ---------------------------------------------------------------------------


def import_bytes(
    workspace, fmt: str, data: bytes, *, batch_size: int = BATCH_SIZE, **kwargs: Any
) -> ImportResult:
    """The loader on what the format's parser makes of `data` (the path every caller takes)."""
    options = registry.ParseOptions(
        time_zone=kwargs.pop("time_zone", "Europe/Berlin"), mapping=kwargs.pop("mapping", {})
    )
    return import_records(
        workspace=workspace,
        records=registry.parse(fmt, io.BytesIO(data), options),
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


def emails_of(person: Person) -> set[str]:
    emails = person.contact_points.filter(kind=ContactKind.EMAIL)
    return set(emails.values_list("value", flat=True))
