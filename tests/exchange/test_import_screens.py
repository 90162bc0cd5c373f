"""The import screens as a new user meets them: refusals keep the form as it was filled
in, every aria-describedby names an element of the page, tables scroll in their own box
on narrow screens, undo asks first and says in plain words what it does, and formats
and counts read as people would say them."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from followthrough.exchange.models import ColumnMapping, ImportBatch, ImportStatus
from followthrough.people.models import Person
from tests.exchange.helpers import load, people, person
from tests.factories import make_event, make_person

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.usefixtures("media_root")


def uploads(media_root) -> list[Path]:
    folder = Path(media_root) / "imports"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def post_upload(client, workspace, name, content, **fields):
    data = {"format": "csv", "time_zone": "Europe/Berlin", **fields}
    data["file"] = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("exchange:import", args=[workspace.slug]), data)


class Page(HTMLParser):
    """Ids, aria-describedby references, the tables (and whether a scrolling box holds
    each), and which ids sit inside a <label>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[str, str]] = []  # (element id, referenced id)
        self.tables: list[tuple[str, bool]] = []  # (class, inside .overflow-auto)
        self.in_label: set[str] = set()
        self.stack: list[tuple[str, dict]] = []
        self.feed(html)

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if "id" in attrs:
            self.ids.add(attrs["id"])
            if any(t == "label" for t, _ in self.stack):
                self.in_label.add(attrs["id"])
        for ref in attrs.get("aria-describedby", "").split():
            self.described.append((attrs.get("id", tag), ref))
        if tag == "table":
            boxed = any("overflow-auto" in a.get("class", "").split() for _, a in self.stack)
            self.tables.append((attrs.get("class", ""), boxed))
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def dangling(self) -> list[tuple[str, str]]:
        return [(element, ref) for element, ref in self.described if ref not in self.ids]


def parse(response) -> Page:
    return Page(response.content.decode())


# --- 2. a file refused before its columns keeps the form as it was filled in ----------


def test_a_png_as_any_csv_is_refused_on_the_form_with_the_choices_kept(
    owner_client, workspace, media_root
):
    event = make_event(workspace)
    ColumnMapping.objects.create(workspace=workspace, name="Tafel", mapping={"Mail": "email"})
    choices = {"event": event.pk, "mapping": "Tafel", "edit_mapping": "on"}
    response = post_upload(owner_client, workspace, "photo.png", png(), **choices)
    assert response.status_code == 422  # the form itself, not a redirect to the columns
    form = response.context["form"]
    assert form["format"].value() == "csv"
    assert str(form["event"].value()) == str(event.pk)
    assert form["mapping"].value() == "Tafel" and form["edit_mapping"].value() is True
    assert form["time_zone"].value() == "Europe/Berlin"
    assert form.errors["file"] == ["This is not a CSV file: it looks like a PNG image."]
    page = parse(response)
    assert "id_file_error" in page.ids and ("id_file", "id_file_error") in page.described
    assert "looks like a PNG image" in response.content.decode()
    assert uploads(media_root) == []


def test_a_png_with_a_saved_mapping_is_refused_on_the_form_too(owner_client, workspace):
    ColumnMapping.objects.create(workspace=workspace, name="Tafel", mapping={"Mail": "email"})
    response = post_upload(owner_client, workspace, "photo.png", png(), mapping="Tafel")
    assert response.status_code == 422
    assert response.context["form"]["format"].value() == "csv"
    assert response.context["form"]["mapping"].value() == "Tafel"
    assert "looks like a PNG image" in response.context["form"].errors["file"][0]


def test_a_file_refused_by_its_background_preview_keeps_the_format_chosen(
    owner_client, workspace, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_PREVIEW_INLINE_BYTES = 10  # every file previews in the background
    lines = (DATA / "linkedin_Connections.csv").read_bytes().splitlines()
    content = b"\n".join([*lines, b'"Broken,"oops'])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(
            owner_client, workspace, "c.csv", content, format="linkedin", time_zone="Asia/Tokyo"
        )
    page = owner_client.get(response["Location"])
    assert page.status_code == 422
    form = page.context["form"]
    assert form["time_zone"].value() == "Asia/Tokyo"
    assert form.errors["file"][0].startswith(f"Line {len(lines) + 1}: ")
    assert "This file cannot be imported" in page.content.decode()


# --- 4. attendees without an event ---------------------------------------------------


def test_attendees_without_an_event_are_refused_before_the_file_is_read(
    owner_client, workspace, media_root
):
    content = (DATA / "eventbrite_attendees.csv").read_bytes()
    response = post_upload(owner_client, workspace, "a.csv", content, format="eventbrite")
    assert response.context["form"].errors == {
        "event": ["Choose the event these attendees came to."]
    }
    assert uploads(media_root) == []
    assert ("id_event", "id_event_error") in parse(response).described


# --- 3. aria-describedby --------------------------------------------------------------


def test_every_aria_describedby_of_the_import_form_exists(owner_client, workspace):
    url = reverse("exchange:import", args=[workspace.slug])
    blank = owner_client.get(url)
    empty = post_upload(owner_client, workspace, "empty.csv", b"", format="linkedin")
    assert empty.context["form"].errors["file"]  # Django: "The submitted file is empty."
    attendees = post_upload(owner_client, workspace, "a.csv", b"x", format="eventbrite")
    for response in (blank, empty, attendees):
        page = parse(response)
        assert page.described, "Django describes fields by their help text"
        assert page.dangling() == []
    page = parse(blank)
    # The checkbox's help text sits below its label, not inside it.
    assert ("id_edit_mapping", "id_edit_mapping_helptext") in page.described
    assert "id_edit_mapping_helptext" not in page.in_label


def test_every_aria_describedby_of_the_mapping_page_exists(owner_client, workspace):
    content = (DATA / "mapping_cp1252_semicolon.csv").read_bytes()
    response = post_upload(owner_client, workspace, "m.csv", content)
    token = parse_qs(urlsplit(response["Location"]).query)["token"][0]
    screen = owner_client.get(response["Location"])
    assert ("id_name", "id_name_helptext") in parse(screen).described
    refused = owner_client.post(
        reverse("exchange:import-columns", args=[workspace.slug]),
        {"token": token, "column_0": "birthday", "column_4": "birthday", "save": "on"},
    )
    assert refused.status_code == 422
    for response in (screen, refused):
        assert parse(response).dangling() == []
    assert ("id_name", "id_name_error") in parse(refused).described


# --- 1. tables scroll in their own box ---------------------------------------------------


def test_the_import_tables_sit_in_a_scrolling_box(owner_client, workspace):
    content = (DATA / "mapping_cp1252_semicolon.csv").read_bytes()
    screen = owner_client.get(post_upload(owner_client, workspace, "m.csv", content)["Location"])
    mapping_tables = parse(screen).tables
    assert mapping_tables == [("column-mapping", True)]  # its selects keep a min width
    preview = post_upload(
        owner_client,
        workspace,
        "c.csv",
        (DATA / "linkedin_Connections.csv").read_bytes(),
        format="linkedin",
    )
    batch = ImportBatch.objects.create(
        workspace=workspace,
        format="linkedin",
        filename="c.csv",
        status=ImportStatus.DONE,
        counts={"read": 3, "created": 3, "updated": 0, "merged": 0, "skipped": 0, "ignored": 0},
    )
    status = owner_client.get(reverse("exchange:import-status", args=[workspace.slug, batch.pk]))
    listing = owner_client.get(reverse("exchange:import-list", args=[workspace.slug]))
    for response in (preview, status, listing):
        tables = parse(response).tables
        assert all(boxed for _, boxed in tables), response.request["PATH_INFO"]
    assert parse(preview).tables and parse(listing).tables
    # The counts are no table at all: a list that wraps on a phone.
    assert '<dl class="import-counts">' in status.content.decode()
    assert '<dl class="import-counts">' in preview.content.decode()


# --- 5. undo asks first, in plain words ---------------------------------------------------


@pytest.fixture
def imported(workspace):
    """An import that added two people and one organization and changed one person."""
    make_person(workspace, first_name="Dev", emails=["dev@example.org"])
    records = [person(2, "Dev", emails=["dev@example.org"], headline="Director")]
    records += people(2, start_line=3, organization="New Org")
    result = load(workspace, records)
    return ImportBatch.objects.get(pk=result.batch_id)


PLAN = (
    "Remove the 2 people and 1 organization this import added, and put back what it "
    "changed on 1 person. What was added to those since goes with them. A field edited "
    "since the import keeps its newer value."
)


def test_undo_asks_first_saying_what_it_will_do(owner_client, workspace, imported):
    status = owner_client.get(reverse("exchange:import-status", args=[workspace.slug, imported.pk]))
    undo_url = reverse("exchange:import-undo", args=[workspace.slug, imported.pk])
    html = status.content.decode()
    assert f'href="{undo_url}"' in html and f'action="{undo_url}"' not in html
    confirm = owner_client.get(undo_url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert PLAN in html
    assert f'<form method="post" action="{undo_url}">' in html
    imported.refresh_from_db()
    assert imported.status == ImportStatus.DONE and Person.objects.count() == 3

    done = owner_client.post(undo_url, follow=True)
    html = done.content.decode()
    assert (
        f"Import #{imported.pk} undone: removed 2 people and 1 organization, and put back "
        "what it changed on 1 person." in html
    )
    assert "rows deleted" not in html and "rows restored" not in html
    assert Person.objects.filter(workspace=workspace).count() == 1
    again = owner_client.get(undo_url).content.decode()
    assert "already undone" in again and f'action="{undo_url}"' not in again


def test_undo_links_the_later_imports_that_touched_what_it_removes(
    owner_client, workspace, imported
):
    later = load(workspace, [person(2, "Person0", emails=["person0@example.org"], notes="Hi")])
    confirm = owner_client.get(reverse("exchange:import-undo", args=[workspace.slug, imported.pk]))
    link = reverse("exchange:import-status", args=[workspace.slug, later.batch_id])
    assert (
        f'<p>Import <a href="{link}">#{later.batch_id}</a> (Connections.csv), made since, '
        "changed or added to some of them: what it did to them goes too.</p>"
    ) in confirm.content.decode()


def test_the_undo_plan_counts_what_is_still_there_in_its_workspace(workspace, imported):
    from followthrough.exchange.imports.undo import import_undo_plan

    plan = import_undo_plan(batch=imported)
    assert plan.removed["people.person"] == 2 and plan.restored["people.person"] == 1
    Person.objects.filter(workspace=workspace, first_name="Person0").delete()
    assert import_undo_plan(batch=imported).removed["people.person"] == 1
    assert Person.objects.count() == 2  # counting changed nothing


# --- 6. smaller things ----------------------------------------------------------------------


def test_formats_read_as_their_names_without_nested_brackets(owner_client, workspace):
    vcard = post_upload(
        owner_client, workspace, "c.vcf", (DATA / "vcard_4.0.vcf").read_bytes(), format="vcard"
    )
    html = vcard.content.decode()
    assert "read as vCard 2.1, 3.0 or 4.0 (.vcf):" in html and "(vCard" not in html
    batch = ImportBatch.objects.create(
        workspace=workspace,
        format="linkedin",
        filename="c.csv",
        status=ImportStatus.DONE,
        counts={"read": 2, "created": 0, "updated": 0, "skipped": 2},
    )
    status = owner_client.get(reverse("exchange:import-status", args=[workspace.slug, batch.pk]))
    assert "read as LinkedIn Connections.csv" in status.content.decode()
    listing = owner_client.get(reverse("exchange:import-list", args=[workspace.slug]))
    html = listing.content.decode()
    assert ">LinkedIn Connections.csv</td>" in html and ">linkedin</td>" not in html
    assert '>2</td><td class="optional-column">0</td>' in html  # zero counts read as 0


def test_an_import_that_changed_nothing_offers_no_undo(owner_client, workspace):
    batch = ImportBatch.objects.create(
        workspace=workspace,
        format="csv",
        filename="c.csv",
        status=ImportStatus.DONE,
        counts={"read": 4, "created": 0, "updated": 0, "skipped": 4},
    )
    status = owner_client.get(reverse("exchange:import-status", args=[workspace.slug, batch.pk]))
    assert status.status_code == 200 and "Undo this import" not in status.content.decode()


def test_an_undone_import_offers_no_duplicates_to_review(owner_client, workspace):
    batch = ImportBatch.objects.create(
        workspace=workspace,
        format="csv",
        filename="c.csv",
        status=ImportStatus.UNDONE,
        counts={"read": 4, "created": 4, "updated": 0, "suggestions_total": 2},
    )
    status = owner_client.get(reverse("exchange:import-status", args=[workspace.slug, batch.pk]))
    html = status.content.decode()
    assert "Review possible duplicates" not in html and "Undo this import" not in html


def test_the_mapping_page_says_truly_when_the_mapping_is_saved(owner_client, workspace):
    content = (DATA / "mapping_cp1252_semicolon.csv").read_bytes()
    screen = owner_client.get(post_upload(owner_client, workspace, "m.csv", content)["Location"])
    html = screen.content.decode()
    assert "Nothing is saved until you confirm the preview" not in html
    assert "saved as soon as its preview is shown" in html
